import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../../apps/server/src/app";
import { createTestApp, type Engine, type TestApp } from "../../../apps/server/test/harness/app";

// The real `gatehouse` binary (`bun src/main.ts …` as a child process) against a real server: the
// server test harness's app listening on loopback.

export const MAIN = join(import.meta.dir, "../src/main.ts");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const homes: string[] = [];

/** A fresh HOME (so each test file has its own ~/.config/gatehouse/credentials). */
export function tempHome(): string {
  const h = mkdtempSync(join(tmpdir(), "gh-cli-home-"));
  homes.push(h);
  return h;
}

export function cleanupHomes() {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
}

/** A clean environment: nothing of the test runner's own GATEHOUSE_* variables leaks into the child. */
export const baseEnv = (home: string): Record<string, string> => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: home,
});

export async function cli(
  args: string[],
  opts: { env?: Record<string, string>; stdin?: string; home: string; timeoutMs?: number },
): Promise<Run> {
  const proc = Bun.spawn([process.execPath, MAIN, ...args], {
    env: { ...baseEnv(opts.home), ...opts.env },
    stdin: opts.stdin === undefined ? "ignore" : new Blob([opts.stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill(), opts.timeoutMs ?? 30_000);
  const [code, stdout, stderr] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

export interface LiveServer {
  t: TestApp;
  url: string;
  close(): Promise<void>;
}

export async function liveServer(
  engine: Engine,
  env: Record<string, string> = {},
  opts: Parameters<typeof createTestApp>[2] = {},
): Promise<LiveServer> {
  const t = await createTestApp(engine, env, opts);
  const server = createApp(t.ctx).listen({ hostname: "127.0.0.1", port: 0 });
  return {
    t,
    url: `http://127.0.0.1:${server.server?.port}`,
    async close() {
      await server.stop();
      await t.close();
    },
  };
}
