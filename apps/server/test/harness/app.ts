import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/app";
import { buildContext } from "../../src/boot";
import { loadConfig } from "../../src/config";
import type { AppContext } from "../../src/context";
import type { DynamicProvider, ProviderType } from "../../src/modules/dynamic/providers/types";
import type { GatewayOptions } from "../../src/modules/gateway/service";
import type { ProxyNet } from "../../src/modules/proxy/net";
import { cloneDatabase, type PgCluster, startPostgres } from "./postgres";

export type Engine = "sqlite" | "pg";
export const ENGINES: Engine[] = ["sqlite", "pg"];

/** Used as a secret value across suites; the runner fails if it ever shows up in a log line or audit entry. */
export const CANARY = "gh-canary-7f3a9c1e5b2d8046-VALUE";

const OUT = process.env.GATEHOUSE_TEST_OUT;
let ownCluster: Promise<PgCluster> | undefined;

export async function pgBaseUrl(): Promise<string> {
  const fromRunner = process.env.GATEHOUSE_TEST_PG_URL;
  if (fromRunner) return fromRunner;
  // Running one file by hand: a cluster for this process, stopped by a watchdog once it exits.
  ownCluster ??= startPostgres({ stopWithProcess: true });
  return (await ownCluster).url("postgres");
}

/** Notes a request for the route-coverage meta-check (tests that call app.handle directly use it too). */
export function recordHit(method: string, path: string, status: number): void {
  if (OUT)
    appendFileSync(
      join(OUT, "hits.jsonl"),
      `${JSON.stringify({ method, path: path.split("?")[0], status })}\n`,
    );
}

export interface TestResponse<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  token?: string;
  raw?: string;
}

export interface TestApp {
  ctx: AppContext;
  app: ReturnType<typeof createApp>;
  logs: string[];
  engine: Engine;
  setPeer(ip: string): void;
  req<T = Record<string, unknown>>(
    method: string,
    path: string,
    opts?: RequestOptions,
  ): Promise<TestResponse<T>>;
  close(): Promise<void>;
}

export async function createTestApp(
  engine: Engine = "sqlite",
  env: Record<string, string> = {},
  opts: {
    now?: () => number;
    proxyNet?: Partial<ProxyNet>;
    dynamicProviders?: Partial<Record<ProviderType, DynamicProvider>>;
    gateway?: GatewayOptions;
  } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), "gh-test-"));
  const databaseUrl = engine === "pg" ? await cloneDatabase(await pgBaseUrl()) : undefined;
  const config = loadConfig({
    GATEHOUSE_ENV: "development",
    GATEHOUSE_DATA_DIR: dir,
    GATEHOUSE_CONFIG_DIR: join(dir, "config"),
    GATEHOUSE_MASTER_KEY: randomBytes(32).toString("hex"),
    GATEHOUSE_ARGON2_MEMORY_KIB: "1024",
    GATEHOUSE_ARGON2_TIME_COST: "1",
    GATEHOUSE_LOG_LEVEL: "debug",
    ...(databaseUrl ? { GATEHOUSE_DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  const logs: string[] = [];
  const ctx = await buildContext(config, {
    now: opts.now,
    proxyNet: opts.proxyNet,
    dynamicProviders: opts.dynamicProviders,
    gateway: opts.gateway,
    logSink: (line) => {
      logs.push(line);
      if (OUT) appendFileSync(join(OUT, "logs.jsonl"), `${line}\n`);
    },
  });
  // app.handle has no socket: the peer is loopback unless a test says otherwise (DI, not a test branch).
  let peer = "127.0.0.1";
  const app = createApp(ctx, { peer: () => peer });

  async function req<T>(method: string, path: string, opts: RequestOptions = {}): Promise<TestResponse<T>> {
    const headers = new Headers(opts.headers);
    if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
    let body: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    const res = await app.handle(new Request(`http://localhost${path}`, { method, headers, body }));
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    recordHit(method, path, res.status);
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  }

  return {
    ctx,
    app,
    logs,
    engine,
    req,
    setPeer: (ip) => {
      peer = ip;
    },
    async close() {
      if (OUT) {
        const rows = await ctx.store.db.select().from(ctx.store.t.auditLog);
        appendFileSync(join(OUT, "audit.jsonl"), rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
      }
      await ctx.gateway.shutdown();
      await ctx.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
