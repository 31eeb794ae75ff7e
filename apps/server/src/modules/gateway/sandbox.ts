import { chownSync, existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, normalize, relative } from "node:path";
import type { Config, McpSandboxSetting } from "../../config";

// How a stdio upstream is isolated from the vault (PRODUCT.md §7): it gets only its own environment
// (plus PATH), a fresh private HOME and working directory (mode 0700), and never sees the vault's
// environment, data directory or keys.
//
// - bubblewrap: new user, PID, IPC, UTS and cgroup namespaces (network shared unless turned off), a
//   read-only view of /usr and a few files of /etc, a private /tmp and /proc (the vault's process and
//   its /proc/<pid>/environ are invisible), the private HOME, and the read-only paths the admin lists.
// - user (root without bubblewrap): the process runs as its own unprivileged uid (setpriv), without
//   capabilities or new privileges; file permissions keep it out of the data directory (0700).
// - none: only the environment and HOME are separate; a same-user process can still read the vault's
//   files and /proc/<pid>/environ. Reported as such in GET /v1/mcp/servers.

export type SandboxMode = "bubblewrap" | "user" | "none";

export interface SandboxInfo {
  mode: SandboxMode;
  /** GATEHOUSE_MCP_SANDBOX as configured. */
  setting: McpSandboxSetting;
  detail: string;
}

export interface SpawnSpec {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Removes the private HOME. */
  cleanup(): void;
}

export interface SandboxRequest {
  server: string;
  command: string;
  args: string[];
  /** The upstream's own variables (secrets resolved); PATH and HOME are added. */
  env: Record<string, string>;
  readOnlyPaths: string[];
  network: boolean;
}

const BWRAP = "/usr/bin/bwrap";
const SETPRIV = "/usr/bin/setpriv";
const SETSID = "/usr/bin/setsid";
const SANDBOX_HOME = "/home/mcp";
const SANDBOX_UID = "1000";
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
// Top-level directories that are symlinks into /usr on merged-/usr systems (else bound read-only).
const SYSTEM_DIRS = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
// What programs need from /etc: name resolution, TLS roots, users, time zone, the loader.
const ETC_FILES = [
  "/etc/resolv.conf",
  "/etc/hosts",
  "/etc/nsswitch.conf",
  "/etc/host.conf",
  "/etc/gai.conf",
  "/etc/ssl",
  "/etc/ca-certificates",
  "/etc/pki",
  "/etc/passwd",
  "/etc/group",
  "/etc/localtime",
  "/etc/alternatives",
  "/etc/ld.so.cache",
  "/etc/ld.so.conf",
  "/etc/ld.so.conf.d",
  "/etc/os-release",
  "/etc/mime.types",
];

const isRoot = () => process.getuid?.() === 0;

/** Paths an upstream must never see: the data and config directories and the key files. */
export function protectedPaths(
  config: Pick<Config, "dataDir" | "configDir" | "devKeyFile" | "masterKeyFile">,
) {
  return [config.dataDir, config.configDir, config.devKeyFile, config.masterKeyFile].filter(
    (p): p is string => !!p,
  );
}

/** Whether `inner` is `outer` or inside it. */
export function within(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** A read-only path an admin may expose: absolute, normalized, not over or under a protected path. */
export function checkReadOnlyPath(path: string, protectedList: string[]): string | null {
  if (!isAbsolute(path) || path.includes("\0")) return "must be an absolute path";
  const p = normalize(path).replace(/\/+$/, "") || "/";
  if (p !== path.replace(/\/+$/, "") && p !== path) return "must be normalized (no '..', '.' or '//')";
  for (const prot of protectedList) {
    if (within(prot, p) || within(p, prot)) return "overlaps the vault's data, config or key files";
  }
  return null;
}

/** A per-server uid for the separate-user sandbox (FNV-1a of the name, in 200000–999999). */
export function sandboxUid(server: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < server.length; i++) {
    h ^= server.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return 200_000 + (h % 800_000);
}

function systemBinds(): string[] {
  const out = ["--ro-bind", "/usr", "/usr"];
  for (const dir of SYSTEM_DIRS) {
    if (!existsSync(dir)) continue;
    const st = lstatSync(dir);
    if (st.isSymbolicLink()) out.push("--symlink", readlinkSync(dir), dir);
    else if (st.isDirectory()) out.push("--ro-bind", dir, dir);
  }
  for (const f of ETC_FILES) out.push("--ro-bind-try", f, f);
  return out;
}

function bwrapArgv(req: SandboxRequest, home: string, hidden: string[]): string[] {
  const argv = [
    BWRAP,
    "--die-with-parent",
    "--new-session",
    "--unshare-all",
    "--unshare-user",
    "--uid",
    SANDBOX_UID,
    "--gid",
    SANDBOX_UID,
    ...(req.network ? ["--share-net"] : []),
    ...systemBinds(),
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--tmpfs",
    "/tmp",
    "--dir",
    "/home",
    "--bind",
    home,
    SANDBOX_HOME,
  ];
  const bound = ["/usr", ...ETC_FILES, ...req.readOnlyPaths];
  for (const p of req.readOnlyPaths) argv.push("--ro-bind", p, p);
  // Anything protected that a bind exposes anyway (a key file under a listed path) is covered over.
  for (const h of hidden) {
    if (!existsSync(h) || !bound.some((b) => within(h, b))) continue;
    if (statSync(h).isDirectory()) argv.push("--tmpfs", h);
    else argv.push("--ro-bind", "/dev/null", h);
  }
  argv.push("--chdir", SANDBOX_HOME, "--", req.command, ...req.args);
  return argv;
}

/** Builds the command line and environment that start `req` under `mode`, with a fresh private HOME. */
export function spawnSpec(mode: SandboxMode, req: SandboxRequest, hidden: string[]): SpawnSpec {
  const home = mkdtempSync(join(tmpdir(), `gh-mcp-${req.server}-`)); // mode 0700
  const cleanup = () => rmSync(home, { recursive: true, force: true });
  try {
    const path = req.env.PATH ?? process.env.PATH ?? DEFAULT_PATH;
    const setsid = existsSync(SETSID) ? [SETSID] : [];
    if (mode === "bubblewrap") {
      return {
        argv: [...setsid, ...bwrapArgv(req, home, hidden)],
        env: { ...req.env, PATH: path, HOME: SANDBOX_HOME },
        cwd: home,
        cleanup,
      };
    }
    const env = { ...req.env, PATH: path, HOME: home };
    if (mode === "user") {
      const uid = String(sandboxUid(req.server));
      chownSync(home, Number(uid), Number(uid));
      return {
        argv: [
          ...setsid,
          SETPRIV,
          "--reuid",
          uid,
          "--regid",
          uid,
          "--clear-groups",
          "--no-new-privs",
          "--inh-caps=-all",
          "--bounding-set=-all",
          "--pdeathsig",
          "KILL",
          "--",
          req.command,
          ...req.args,
        ],
        env,
        cwd: home,
        cleanup,
      };
    }
    return { argv: [...setsid, req.command, ...req.args], env, cwd: home, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

async function works(mode: SandboxMode): Promise<string | null> {
  let spec: SpawnSpec | undefined;
  try {
    spec = spawnSpec(
      mode,
      { server: "probe", command: "true", args: [], env: {}, readOnlyPaths: [], network: false },
      [],
    );
    const proc = Bun.spawn(spec.argv, { env: spec.env, cwd: spec.cwd, stdout: "ignore", stderr: "pipe" });
    const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
    const code = await proc.exited;
    clearTimeout(timer);
    if (code === 0) return null;
    return (await new Response(proc.stderr).text()).trim().slice(0, 200) || `exit code ${code}`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    spec?.cleanup();
  }
}

/** Picks the strongest sandbox that works here (probed once by running `true` in it). */
export async function detectSandbox(setting: McpSandboxSetting): Promise<SandboxInfo> {
  const bwrap = async (): Promise<SandboxInfo | string> => {
    if (!existsSync(BWRAP)) return "bubblewrap is not installed (apt-get install bubblewrap)";
    const failed = await works("bubblewrap");
    return failed
      ? `bubblewrap cannot create namespaces here: ${failed}`
      : {
          mode: "bubblewrap",
          setting,
          detail:
            "bubblewrap: user, PID, IPC and UTS namespaces, read-only /usr, private /tmp, /proc and HOME",
        };
  };
  const user = async (): Promise<SandboxInfo | string> => {
    if (!isRoot()) return "a separate user needs the server to run as root";
    if (!existsSync(SETPRIV)) return "setpriv is not installed (util-linux)";
    const failed = await works("user");
    return failed
      ? `setpriv failed: ${failed}`
      : {
          mode: "user",
          setting,
          detail: "a separate unprivileged uid per server (setpriv), no capabilities, private HOME",
        };
  };
  const none = (why: string): SandboxInfo => ({
    mode: "none",
    setting,
    detail: `no isolation beyond a clean environment and private HOME (${why}); a same-user process can read the vault's files`,
  });
  if (setting === "none") return none("GATEHOUSE_MCP_SANDBOX=none");
  if (setting === "bubblewrap") {
    const r = await bwrap();
    if (typeof r === "string") throw new Error(`GATEHOUSE_MCP_SANDBOX=bubblewrap: ${r}`);
    return r;
  }
  if (setting === "user") {
    const r = await user();
    if (typeof r === "string") throw new Error(`GATEHOUSE_MCP_SANDBOX=user: ${r}`);
    return r;
  }
  const b = await bwrap();
  if (typeof b !== "string") return b;
  const u = await user();
  if (typeof u !== "string") return u;
  return none(`${b}; ${u}`);
}
