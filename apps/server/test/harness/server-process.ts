import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./postgres";

// A real server process (`bun apps/server/src/main.ts`), for the fault and soak suites: what a crash,
// a full disk or a database restart does can only be seen from outside the process.

export const MAIN = join(import.meta.dir, "../../src/main.ts");

export interface ServerProcess {
  url: string;
  port: number;
  proc: ReturnType<typeof Bun.spawn>;
  /** Everything the process wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Resident set size in KiB, from /proc (Linux). */
  rssKib(): number;
  kill9(): Promise<void>;
  /** SIGTERM and wait; SIGKILL after `graceMs`. Resolves to the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface ServerOptions {
  dataDir: string;
  masterKey: string;
  rootToken: string;
  databaseUrl?: string;
  port?: number;
  env?: Record<string, string>;
  /** Argv prefix, e.g. ["prlimit", "--fsize=1000000", "--"] or ["runuser", "-u", "nobody", "--"]. */
  wrap?: string[];
  /** Resolves once /health answers (default); false to return at once (a boot expected to fail). */
  waitReady?: boolean;
}

export async function startServerProcess(opts: ServerOptions): Promise<ServerProcess> {
  const port = opts.port ?? (await freePort());
  const proc = Bun.spawn([...(opts.wrap ?? []), "bun", MAIN], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      GATEHOUSE_ENV: "development",
      GATEHOUSE_HOST: "127.0.0.1",
      GATEHOUSE_PORT: String(port),
      GATEHOUSE_DATA_DIR: opts.dataDir,
      GATEHOUSE_CONFIG_DIR: join(opts.dataDir, "config"),
      GATEHOUSE_MASTER_KEY: opts.masterKey,
      GATEHOUSE_ROOT_TOKEN: opts.rootToken,
      GATEHOUSE_ARGON2_MEMORY_KIB: "1024",
      GATEHOUSE_ARGON2_TIME_COST: "1",
      GATEHOUSE_LOG_LEVEL: "warn",
      ...(opts.databaseUrl ? { GATEHOUSE_DATABASE_URL: opts.databaseUrl } : {}),
      ...opts.env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  const pump = async (s: ReadableStream<Uint8Array>) => {
    const d = new TextDecoder();
    for await (const chunk of s) {
      out += d.decode(chunk, { stream: true });
      if (out.length > 200_000) out = out.slice(-100_000);
    }
  };
  void pump(proc.stdout as ReadableStream<Uint8Array>).catch(() => {});
  void pump(proc.stderr as ReadableStream<Uint8Array>).catch(() => {});
  const url = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    url,
    port,
    proc,
    output: () => out,
    rssKib() {
      try {
        const status = readFileSync(`/proc/${proc.pid}/status`, "utf8");
        return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      } catch {
        return 0;
      }
    },
    async kill9() {
      proc.kill(9);
      await proc.exited;
    },
    async stop(graceMs = 15_000) {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill(9), graceMs);
      const code = await proc.exited;
      clearTimeout(timer);
      return code;
    },
  };
  if (opts.waitReady === false) return server;
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited during boot (${proc.exitCode}):\n${out}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return server;
    } catch {}
    await Bun.sleep(100);
  }
  proc.kill(9);
  throw new Error(`server did not become ready:\n${out}`);
}

/** A JSON call with the given bearer token; network failures are returned as status 0. */
export async function callJson(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 30_000,
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed, text };
  } catch (e) {
    return { status: 0, body: {}, text: String(e) };
  }
}
