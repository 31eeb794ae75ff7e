import { afterAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cidrContains, parseCidr, parseIp } from "@gatehouse/core/policy";

// Docker cannot run here (PRODUCT.md §13): the Dockerfile, the compose files and the systemd unit are
// checked statically, and the image's entrypoint is run natively as an unprivileged user, in production
// mode, with the master key from a file and everything read-only except the data directory and /tmp.

const ROOT = join(import.meta.dir, "../../..");
const DOCKER = join(ROOT, "docker");
type Obj = Record<string, unknown>;

interface Instruction {
  cmd: string;
  args: string;
  stage: number;
}

/** Dockerfile instructions (continuations joined, comments dropped), each tagged with its stage. */
function parseDockerfile(text: string): {
  instructions: Instruction[];
  stages: { from: string; name?: string }[];
  args: Obj;
} {
  const logical: string[] = [];
  let cur = "";
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    if (!cur && (line.trim() === "" || line.trim().startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      cur += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push((cur + line).trim());
    cur = "";
  }
  const instructions: Instruction[] = [];
  const stages: { from: string; name?: string }[] = [];
  const args: Obj = {};
  for (const l of logical) {
    const m = /^(\w+)\s+(.*)$/s.exec(l);
    if (!m) continue;
    const cmd = (m[1] as string).toUpperCase();
    const rest = m[2] as string;
    if (cmd === "ARG" && stages.length === 0) {
      const [k, v] = rest.split("=");
      args[k as string] = v;
    }
    if (cmd === "FROM") {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(rest);
      stages.push({
        from: (f?.[1] ?? "").replace(/\$\{(\w+)\}/g, (_, k: string) => String(args[k] ?? "")),
        name: f?.[2],
      });
    }
    instructions.push({ cmd, args: rest, stage: stages.length - 1 });
  }
  return { instructions, stages, args };
}

/** ENV lines (`K=V K2=V2` or `K V`) of one stage as a map. */
function envOf(instructions: Instruction[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of instructions.filter((x) => x.cmd === "ENV")) {
    const pairs = [...i.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)];
    if (pairs.length === 0) {
      const [k, ...v] = i.args.split(/\s+/);
      out[k as string] = v.join(" ");
    }
    for (const p of pairs) out[p[1] as string] = (p[2] as string).replace(/^"|"$/g, "");
  }
  return out;
}

// Variable names and values that must never be baked into an image or a compose file.
const SECRET_NAMES =
  /(^|_)(MASTER_KEY|ROOT_TOKEN|PASSWORD|SECRET|JWT_SECRET|METRICS_TOKEN|CLIENT_SECRET|DATABASE_URL)$/;
const HEX_KEY = /\b[0-9a-f]{64}\b/i;

function assertNoSecretsInEnv(env: Record<string, unknown>, where: string) {
  for (const [k, v] of Object.entries(env)) {
    const value = String(v ?? "");
    if (SECRET_NAMES.test(k))
      throw new Error(`${where}: ${k} is a secret in the environment (use a *_FILE secret)`);
    if (HEX_KEY.test(value)) throw new Error(`${where}: ${k} holds what looks like a key`);
    if (/:\/\/[^/\s:@]+:[^@\s]+@/.test(value)) throw new Error(`${where}: ${k} holds a URL with a password`);
  }
}

const composeEnv = (svc: Obj): Record<string, string> => {
  const e = svc.environment;
  if (Array.isArray(e))
    return Object.fromEntries(e.map((x: string) => [x.split("=")[0], x.split("=").slice(1).join("=")]));
  return (e ?? {}) as Record<string, string>;
};
const targets = (svc: Obj) =>
  ((svc.volumes ?? []) as (string | { target: string })[]).map((v) =>
    typeof v === "string" ? (v.split(":")[1] ?? "") : v.target,
  );
const tmpfsTargets = (svc: Obj) =>
  ([] as string[]).concat((svc.tmpfs ?? []) as string[]).map((t) => t.split(":")[0] as string);

describe("Dockerfile", () => {
  const text = readFileSync(join(DOCKER, "Dockerfile"), "utf8");
  const { instructions, stages } = parseDockerfile(text);
  const last = stages.length - 1;
  const final = instructions.filter((i) => i.stage === last);
  const build = instructions.filter((i) => i.stage === 0);

  test("multi-stage on the official Bun image, pinned to a version", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.from).toMatch(/^oven\/bun:1\.\d+\.\d+(-slim)?$/);
    expect(stages[0]?.from).toBe("oven/bun:1.4.5");
  });

  test("every workspace's package.json is in the build stage before the frozen install", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { workspaces: string[] };
    const copied = build.filter((i) => i.cmd === "COPY").flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const w of pkg.workspaces) {
      const dirs = w.endsWith("/*")
        ? readdirSync(join(ROOT, w.slice(0, -2)), { withFileTypes: true })
            .filter((d) => d.isDirectory() && existsSync(join(ROOT, w.slice(0, -2), d.name, "package.json")))
            .map((d) => `${w.slice(0, -2)}/${d.name}`)
        : [w];
      for (const d of dirs) expect(copied, d).toContain(`${d}/package.json`);
    }
    expect(copied).toContain("bun.lock");
  });

  test("the build stage installs with the frozen lockfile and builds the SPA", () => {
    const runs = build.filter((i) => i.cmd === "RUN").map((i) => i.args);
    expect(runs.some((r) => r.includes("bun install --frozen-lockfile"))).toBe(true);
    expect(runs.some((r) => /apps\/web.*bun run build/.test(r))).toBe(true);
    expect(final.some((i) => i.cmd === "COPY" && i.args.includes("apps/web/dist"))).toBe(true);
  });

  test("runs as a non-root user", () => {
    const users = final.filter((i) => i.cmd === "USER");
    expect(users.length).toBeGreaterThan(0);
    const user = (users.at(-1)?.args ?? "").split(":")[0] ?? "";
    expect(["root", "0", ""]).not.toContain(user);
    // The user is created in the image, not assumed.
    expect(final.some((i) => i.cmd === "RUN" && i.args.includes(`useradd`) && i.args.includes(user))).toBe(
      true,
    );
  });

  test("HEALTHCHECK on /health/ready; /data volume; production; master key from the Docker secret", () => {
    const hc = final.find((i) => i.cmd === "HEALTHCHECK");
    expect(hc?.args).toContain("CMD");
    const entry = readFileSync(join(DOCKER, "entrypoint.sh"), "utf8");
    expect(
      hc?.args.includes("/health/ready") ||
        (hc?.args.includes("healthcheck") && entry.includes("/health/ready")),
    ).toBe(true);
    const volumes = final.filter((i) => i.cmd === "VOLUME").map((i) => i.args);
    expect(volumes).toEqual(['["/data"]']);
    const env = envOf(final);
    expect(env.GATEHOUSE_ENV).toBe("production");
    expect(env.GATEHOUSE_DATA_DIR).toBe("/data");
    expect(env.GATEHOUSE_MASTER_KEY_FILE).toBe("/run/secrets/master_key");
    // Everything else the process may write goes to /tmp (a tmpfs), including upstream MCP homes.
    expect(env.HOME?.startsWith("/tmp")).toBe(true);
    expect(env.TMPDIR).toBe("/tmp");
    expect(env.BUN_RUNTIME_TRANSPILER_CACHE_PATH).toBe("0");
  });

  test("no secret is baked in: no key or token in ENV, ARG or the build context", () => {
    for (const s of [0, last])
      assertNoSecretsInEnv(envOf(instructions.filter((i) => i.stage === s)), "Dockerfile");
    for (const a of instructions.filter((i) => i.cmd === "ARG")) expect(a.args).not.toMatch(SECRET_NAMES);
    expect(text).not.toMatch(HEX_KEY);
    const ignore = readFileSync(join(DOCKER, "Dockerfile.dockerignore"), "utf8");
    for (const p of ["**/node_modules", "**/data", "docker/master_key", ".git"]) expect(ignore).toContain(p);
  });

  test("only the data directory is made writable for the service user", () => {
    const runs = final
      .filter((i) => i.cmd === "RUN")
      .map((i) => i.args)
      .join("\n");
    const chowns = [...runs.matchAll(/chown\s+(?:-R\s+)?\S+\s+([^&\n]+)/g)].map((m) =>
      (m[1] as string).trim(),
    );
    expect(chowns).toEqual(["/data"]);
    // Code is copied without --chown (root-owned, read-only to the service).
    for (const c of final.filter((i) => i.cmd === "COPY")) expect(c.args).not.toContain("--chown");
  });
});

describe("compose.yml (single node, SQLite)", () => {
  const doc = Bun.YAML.parse(readFileSync(join(DOCKER, "compose.yml"), "utf8")) as Obj;
  const services = doc.services as Record<string, Obj>;
  const svc = services.gatehouse as Obj;

  test("read-only root filesystem with a tmpfs /tmp; the only volume is /data", () => {
    expect(svc.read_only).toBe(true);
    expect(tmpfsTargets(svc)).toContain("/tmp");
    expect(targets(svc).filter((t) => !t.startsWith("/config"))).toEqual(["/data"]);
    expect((doc.volumes as Obj)["gatehouse-data"]).toBeDefined();
  });

  test("the master key is a Docker secret; no secret in the environment", () => {
    expect(svc.secrets).toContain("master_key");
    expect(((doc.secrets as Obj).master_key as Obj).file).toBeDefined();
    const env = composeEnv(svc);
    expect(env.GATEHOUSE_MASTER_KEY_FILE).toBe("/run/secrets/master_key");
    expect(env.GATEHOUSE_ENV).toBe("production");
    expect(env.GATEHOUSE_DATABASE_URL).toBeUndefined();
    assertNoSecretsInEnv(env, "compose.yml");
  });

  test("non-root, no capabilities, no new privileges, healthcheck, time to shut down gracefully", () => {
    expect(String(svc.user).split(":")[0]).not.toMatch(/^(0|root)$/);
    expect(svc.cap_drop).toEqual(["ALL"]);
    expect(svc.security_opt).toContain("no-new-privileges:true");
    expect(JSON.stringify((svc.healthcheck as Obj).test)).toContain("healthcheck");
    expect(Number.parseInt(String(svc.stop_grace_period), 10)).toBeGreaterThanOrEqual(25);
    expect(svc.ports).toEqual(["127.0.0.1:3100:3100"]);
  });
});

describe("compose.ha.yml (PostgreSQL, two replicas, reverse proxy)", () => {
  const doc = Bun.YAML.parse(readFileSync(join(DOCKER, "compose.ha.yml"), "utf8")) as Obj;
  const services = doc.services as Record<string, Obj>;
  const replicas = Object.entries(services).filter(([, s]) => String(s.image ?? "").startsWith("gatehouse"));
  const proxyEntry = Object.entries(services).find(([, s]) =>
    /^(caddy|nginx)(:|$)/.test(String(s.image ?? "")),
  );
  const postgres = Object.values(services).find((s) => String(s.image ?? "").startsWith("postgres:"));

  test("PostgreSQL with its password from a secret, on an internal network", () => {
    expect(postgres).toBeDefined();
    const env = composeEnv(postgres as Obj);
    expect(env.POSTGRES_PASSWORD).toBeUndefined();
    expect(env.POSTGRES_PASSWORD_FILE).toMatch(/^\/run\/secrets\//);
    expect(((doc.networks as Obj).backend as Obj).internal).toBe(true);
  });

  test("two read-only replicas on the shared database, secrets from files", () => {
    expect(replicas.length).toBe(2);
    for (const [name, s] of replicas) {
      expect(s.read_only).toBe(true);
      expect(tmpfsTargets(s)).toContain("/tmp");
      const env = composeEnv(s);
      expect(env.GATEHOUSE_DATABASE_URL_FILE).toMatch(/^\/run\/secrets\//);
      expect(env.GATEHOUSE_MASTER_KEY_FILE).toBe("/run/secrets/master_key");
      assertNoSecretsInEnv(env, `compose.ha.yml ${name}`);
      expect(s.secrets).toEqual(expect.arrayContaining(["master_key", "database_url"]));
      expect(String(s.user).split(":")[0]).not.toMatch(/^(0|root)$/);
      expect((s.depends_on as Obj).postgres).toEqual({ condition: "service_healthy" });
    }
  });

  test("the reverse proxy's address is inside every replica's GATEHOUSE_TRUSTED_PROXIES; only it is published", () => {
    expect(proxyEntry).toBeDefined();
    const [, proxy] = proxyEntry as [string, Obj];
    const nets = proxy.networks as Record<string, { ipv4_address?: string }>;
    const [netName, net] = Object.entries(nets)[0] as [string, { ipv4_address?: string }];
    const subnet = (((doc.networks as Obj)[netName] as Obj).ipam as { config: { subnet: string }[] })
      .config[0]?.subnet;
    const proxyIp = parseIp(net.ipv4_address ?? "");
    expect(proxyIp).toBeDefined();
    for (const [, s] of replicas) {
      const trusted =
        composeEnv(s)
          .GATEHOUSE_TRUSTED_PROXIES?.split(",")
          .map((c) => c.trim()) ?? [];
      expect(trusted.length).toBeGreaterThan(0);
      const cidrs = trusted.map((c) => parseCidr(c));
      for (const c of cidrs) expect(typeof c).not.toBe("string");
      expect(cidrs.some((c) => typeof c !== "string" && cidrContains(c, proxyIp as Uint8Array))).toBe(true);
      // The trusted range is the proxy's own network, and the replicas are on it with the proxy.
      expect(trusted).toContain(subnet as string);
      expect(s.networks).toContain(netName);
      expect(s.ports).toBeUndefined();
    }
    expect(proxy.ports).toBeDefined();
    const caddy = readFileSync(join(DOCKER, "Caddyfile"), "utf8");
    for (const [name] of replicas) expect(caddy).toContain(`${name}:3100`);
    expect(caddy).toContain("health_uri /health/ready");
  });
});

describe("systemd unit", () => {
  const text = readFileSync(join(DOCKER, "gatehouse.service"), "utf8");
  const service: Record<string, string[]> = {};
  let section = "";
  for (const line of text.split("\n")) {
    const l = line.trim();
    if (!l || l.startsWith("#")) continue;
    const s = /^\[(\w+)\]$/.exec(l);
    if (s) {
      section = s[1] as string;
      continue;
    }
    if (section !== "Service") continue;
    const i = l.indexOf("=");
    const k = l.slice(0, i);
    service[k] = [...(service[k] ?? []), l.slice(i + 1)];
  }
  const one = (k: string) => service[k]?.at(-1);

  test("the seeds' hardening", () => {
    expect(one("PrivateTmp")).toBe("yes");
    expect(one("ProtectSystem")).toBe("strict");
    expect(one("ProtectHome")).toBe("yes");
    expect(one("NoNewPrivileges")).toBe("yes");
    expect(one("ReadWritePaths")).toBe("/var/lib/gatehouse");
    expect(one("CapabilityBoundingSet")).toBe("");
    expect(one("PrivateDevices")).toBe("yes");
  });

  test("non-root, production, master key through LoadCredential, never the environment", () => {
    expect(one("User")).toBe("gatehouse");
    expect(service.LoadCredential).toContain("master_key:/etc/gatehouse/master_key");
    const env = Object.fromEntries(
      (service.Environment ?? []).map((e) => [e.split("=")[0], e.split("=").slice(1).join("=")]),
    );
    expect(env.GATEHOUSE_MASTER_KEY_FILE).toBe("%d/master_key");
    expect(env.GATEHOUSE_ENV).toBe("production");
    expect(env.GATEHOUSE_DATA_DIR).toBe("/var/lib/gatehouse");
    assertNoSecretsInEnv(env, "gatehouse.service");
    expect(one("KillSignal")).toBe("SIGTERM");
    expect(one("ExecStart")).toContain("apps/server/src/main.ts");
  });
});

// ---- the entrypoint, natively -------------------------------------------------------------------

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** bubblewrap as an unprivileged user: a read-only root, a writable data directory and a private /tmp. */
function sandboxWorks(): boolean {
  if (!existsSync("/usr/bin/bwrap")) return false;
  const probe = [
    "bwrap",
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--tmpfs",
    "/tmp",
    "true",
  ];
  const r = Bun.spawnSync(isRoot ? ["runuser", "-u", "nobody", "--", ...probe] : probe);
  return r.exitCode === 0;
}

async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = s.port as number;
  await s.stop(true);
  return port;
}

/** The deepest descendant of `pid` (the entrypoint execs bun, so that is the server). */
function deepest(pid: number): number {
  const children = (p: number) => {
    try {
      return readFileSync(`/proc/${p}/task/${p}/children`, "utf8")
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  };
  let cur = pid;
  for (;;) {
    const next = children(cur)[0];
    if (!next) return cur;
    cur = next;
  }
}

interface Layout {
  host: { data: string; key: string; tmp: string };
  /** Paths as the server sees them. */
  inside: { data: string; key: string; config: string };
  prefix: string[];
}

function layout(sandbox: boolean, keyHex: string): Layout {
  const base = mkdtempSync(join(tmpdir(), "gh-entrypoint-"));
  dirs.push(base);
  chmodSync(base, 0o755);
  const data = join(base, "data");
  const tmp = join(base, "tmp");
  mkdirSync(data, { mode: 0o700 });
  mkdirSync(tmp, { mode: 0o700 });
  const key = join(base, "master_key");
  writeFileSync(key, `${keyHex}\n`, { mode: 0o400 });
  if (isRoot) for (const p of [data, tmp, key]) chownSync(p, NOBODY, NOBODY);
  const asUser = isRoot ? ["runuser", "-u", "nobody", "--"] : [];
  if (!sandbox)
    return { host: { data, key, tmp }, inside: { data, key, config: join(base, "config") }, prefix: asUser };
  return {
    host: { data, key, tmp },
    inside: {
      data: "/mnt/gatehouse/data",
      key: "/mnt/gatehouse/secrets/master_key",
      config: "/mnt/gatehouse/config",
    },
    prefix: [
      ...asUser,
      "bwrap",
      "--ro-bind",
      "/",
      "/",
      "--dev",
      "/dev",
      "--proc",
      "/proc",
      "--tmpfs",
      "/tmp",
      // A checkout under /tmp (CI clones) would vanish behind the private /tmp: bind it back, read-only.
      ...(ROOT.startsWith("/tmp/") ? ["--ro-bind", ROOT, ROOT] : []),
      "--tmpfs",
      "/mnt",
      "--dir",
      "/mnt/gatehouse/data",
      "--bind",
      data,
      "/mnt/gatehouse/data",
      "--dir",
      "/mnt/gatehouse/secrets",
      "--ro-bind",
      key,
      "/mnt/gatehouse/secrets/master_key",
      "--die-with-parent",
    ],
  };
}

function entrypoint(l: Layout, port: number, extra: Record<string, string> = {}, args = ["server"]) {
  const env: Record<string, string> = {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: "/tmp",
    TMPDIR: "/tmp",
    GATEHOUSE_APP_DIR: ROOT,
    GATEHOUSE_BUN: process.execPath,
    GATEHOUSE_ENV: "production",
    GATEHOUSE_HOST: "127.0.0.1",
    GATEHOUSE_PORT: String(port),
    GATEHOUSE_DATA_DIR: l.inside.data,
    GATEHOUSE_CONFIG_DIR: l.inside.config,
    GATEHOUSE_MASTER_KEY_FILE: l.inside.key,
    GATEHOUSE_WEB_DIST: join(ROOT, "apps/web/dist"),
    BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0",
    ...extra,
  };
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return Bun.spawn([...l.prefix, "env", "-i", ...envArgs, "sh", join(DOCKER, "entrypoint.sh"), ...args], {
    stdout: "pipe",
    stderr: "pipe",
    cwd: isRoot ? "/" : ROOT,
  });
}

describe("the entrypoint, run natively as an unprivileged user", () => {
  const sandbox = sandboxWorks();

  test("production mode, key from a file, writes only to the data directory; /health answers; SIGTERM exits 0", async () => {
    const keyHex = randomBytes(32).toString("hex");
    const l = layout(sandbox, keyHex);
    const port = await freePort();
    const proc = entrypoint(l, port);
    const stderr = new Response(proc.stderr).text();
    const stdout = new Response(proc.stdout).text();
    let ready: Response | undefined;
    for (let i = 0; i < 150 && !ready?.ok; i++) {
      await Bun.sleep(100);
      ready = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
      if (proc.exitCode !== null) break;
    }
    if (!ready?.ok) throw new Error(`server did not become ready: ${await stderr}`);
    expect(((await ready.json()) as Obj).status).toBe("ready");
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);

    // The same image command Docker's HEALTHCHECK runs.
    const hc = entrypoint(l, port, {}, ["healthcheck"]);
    expect(await hc.exited).toBe(0);

    // Production: no dev key was created, and the key itself is nowhere in the data directory.
    const files = readdirSync(l.host.data);
    expect(files).toContain("gatehouse.db");
    expect(files).not.toContain("dev-master.key");
    for (const f of files) expect(readFileSync(join(l.host.data, f)).includes(keyHex)).toBe(false);
    if (isRoot) {
      const owner = Bun.spawnSync(["stat", "-c", "%u", join(l.host.data, "gatehouse.db")])
        .stdout.toString()
        .trim();
      expect(owner).toBe(String(NOBODY));
    }

    const server = deepest(proc.pid);
    expect(readFileSync(`/proc/${server}/status`, "utf8")).toMatch(
      new RegExp(`\\nUid:\\s+${isRoot ? NOBODY : process.getuid?.()}\\s`),
    );
    process.kill(server, "SIGTERM");
    expect(await proc.exited).toBe(0);
    const out = await stdout;
    expect(out).toContain('"env":"production"');
    expect(out).toContain('"msg":"stopped"');
    // A clean close checkpoints the WAL.
    expect(existsSync(join(l.host.data, "gatehouse.db-wal"))).toBe(false);
  }, 60_000);

  test.skipIf(!sandbox)("inside the sandbox nothing but the data directory and /tmp is writable", () => {
    const l = layout(true, randomBytes(32).toString("hex"));
    const script = `touch ${join(ROOT, "probe")} 2>/dev/null && echo app-writable; touch /etc/probe 2>/dev/null && echo etc-writable; touch ${l.inside.data}/probe && echo data-ok; touch /tmp/probe && echo tmp-ok`;
    const r = Bun.spawnSync([...l.prefix, "sh", "-c", script]);
    expect(r.stdout.toString().trim().split("\n")).toEqual(["data-ok", "tmp-ok"]);
  });

  test("refuses to start without a readable key, or with an unwritable data directory", async () => {
    const l = layout(sandbox, randomBytes(32).toString("hex"));
    const port = await freePort();
    const noKey = entrypoint(l, port, { GATEHOUSE_MASTER_KEY_FILE: "/nonexistent/master_key" });
    expect(await noKey.exited).toBe(1);
    expect(await new Response(noKey.stderr).text()).toContain(
      "cannot read the master key at /nonexistent/master_key",
    );
    const badData = entrypoint(l, port, { GATEHOUSE_DATA_DIR: sandbox ? "/etc" : "/proc" });
    expect(await badData.exited).toBe(1);
    expect(await new Response(badData.stderr).text()).toContain("is not writable");
    // The server's own check: production refuses a malformed key (named, never echoed).
    writeFileSync(join(l.host.tmp, "bad-key"), "not-a-key");
    if (isRoot) chownSync(join(l.host.tmp, "bad-key"), NOBODY, NOBODY);
    const bad = entrypoint(
      {
        ...l,
        prefix: isRoot ? ["runuser", "-u", "nobody", "--"] : [],
        inside: { ...l.inside, data: l.host.data },
      },
      port,
      {
        GATEHOUSE_MASTER_KEY_FILE: join(l.host.tmp, "bad-key"),
        GATEHOUSE_DATA_DIR: l.host.data,
      },
    );
    expect(await bad.exited).toBe(1);
    expect(await new Response(bad.stderr).text()).toContain(
      "GATEHOUSE_MASTER_KEY_FILE: must be 64 hexadecimal characters",
    );
  }, 60_000);
});
