import { existsSync } from "node:fs";

export const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

export interface StepResult {
  name: string;
  ok: boolean;
  seconds: number;
  output: string;
}

/** Runs a command with its output streamed through, and keeps the output for counting tests. */
export async function step(
  name: string,
  cmd: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<StepResult> {
  const started = performance.now();
  console.log(`\n▶ ${name}: ${cmd.join(" ")}`);
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  let output = "";
  const pump = async (stream: ReadableStream<Uint8Array>, sink: NodeJS.WriteStream) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      const text = decoder.decode(chunk, { stream: true });
      output += text;
      sink.write(text);
    }
  };
  await Promise.all([pump(proc.stdout, process.stdout), pump(proc.stderr, process.stderr), proc.exited]);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const ok = proc.exitCode === 0;
  console.log(`${ok ? "✔" : "✘"} ${name} (${seconds}s)`);
  return { name, ok, seconds, output };
}

const isRoot = () => process.getuid?.() === 0;

/** Debian packages the suites need; installed when running as root (CI), otherwise the exact command is printed. */
export async function ensurePackages(pkgs: { bin: string; pkg: string }[]): Promise<void> {
  const missing = pkgs.filter((p) => !existsSync(p.bin)).map((p) => p.pkg);
  if (missing.length === 0) return;
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(" ")}`;
  if (!isRoot()) {
    console.error(`Missing Debian packages: ${missing.join(", ")}. Run as root:\n  ${cmd}`);
    process.exit(1);
  }
  console.log(`Installing ${missing.join(", ")} ...`);
  const r = Bun.spawnSync(["sh", "-c", cmd], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    stdout: "inherit",
    stderr: "inherit",
  });
  if (r.exitCode !== 0) process.exit(r.exitCode ?? 1);
}

export const POSTGRES = { bin: "/usr/lib/postgresql/15/bin/pg_ctl", pkg: "postgresql" };
export const CHROMIUM = { bin: "/usr/bin/chromium", pkg: "chromium" };
export const WRK = { bin: "/usr/bin/wrk", pkg: "wrk" };
// Real servers for the dynamic-secret providers (MySQL is verified on MariaDB 10.11), plus ssh-keygen.
export const MARIADB = { bin: "/usr/sbin/mariadbd", pkg: "mariadb-server" };
export const REDIS = { bin: "/usr/bin/redis-server", pkg: "redis-server" };
export const SSHD = { bin: "/usr/sbin/sshd", pkg: "openssh-server" };
export const SSH_CLIENT = { bin: "/usr/bin/ssh-keygen", pkg: "openssh-client" };
// The MCP gateway's stdio sandbox (test/gateway*.test.ts run upstreams under it), and the Docker
// entrypoint test runs the server in a read-only sandbox (it falls back to runuser alone).
export const BWRAP = { bin: "/usr/bin/bwrap", pkg: "bubblewrap" };
