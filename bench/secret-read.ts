// Authenticated, audited secret reads: one server on SQLite, then one and two replicas on PostgreSQL.
// Prints JSON lines `{name, rps, p50_ms, p99_ms, ...}` for bench/run.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloneDatabase, freePort, startPostgres } from "../apps/server/test/harness/postgres";
import { ROOT as REPO } from "../scripts/lib";
import { shareOfCeiling, startChild, type WrkResult, wrk, wrkParallel } from "./lib";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const ROOT = "bench-root-token-0123456789abcdef0123456789";
const KEY = "ab".repeat(32);

async function server(env: Record<string, string>) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "gh-bench-read-"));
  const child = await startChild(
    ["bun", join(REPO, "apps/server/src/main.ts")],
    {
      GATEHOUSE_ENV: "development",
      GATEHOUSE_PORT: String(port),
      GATEHOUSE_DATA_DIR: dir,
      GATEHOUSE_CONFIG_DIR: join(dir, "config"),
      GATEHOUSE_MASTER_KEY: KEY,
      GATEHOUSE_ROOT_TOKEN: ROOT,
      GATEHOUSE_LOG_LEVEL: "error",
      ...env,
    },
    (p) => `http://127.0.0.1:${p}/health`,
    port,
  );
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      child.proc.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function api(url: string, method: string, path: string, body?: unknown, token = ROOT) {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as Record<string, string>;
}

/** An agent with read on one secret, as an AppRole token: the realistic hot path. */
async function seed(url: string) {
  await api(url, "POST", "/v1/policy", {
    name: "bench",
    rules: [{ paths: ["bench/**"], capabilities: ["read", "lease"] }],
  });
  await api(url, "POST", "/v1/secrets/bench/key", { value: "x".repeat(64) });
  const role = await api(url, "POST", "/v1/auth/approle", { display_name: "bench", policies: ["bench"] });
  const login = await api(url, "POST", "/v1/auth/approle/login", {
    role_id: role.role_id,
    secret_id: role.secret_id,
  });
  return login.token as string;
}

const emit = (name: string, r: WrkResult) => console.log(JSON.stringify({ name, ...r }));

const ceiling = await startChild(["bun", join(import.meta.dir, "ceiling.ts")], {});
const sqlite = await server({});
try {
  const token = await seed(sqlite.url);
  const headers = { authorization: `Bearer ${token}` };
  emit(
    "secret_read",
    shareOfCeiling(`http://127.0.0.1:${ceiling.port}/`, () =>
      wrk(`${sqlite.url}/v1/secrets/bench/key/value`, { seconds, connections: 32, headers }),
    ),
  );
  emit(
    "secret_read_1conn",
    wrk(`${sqlite.url}/v1/secrets/bench/key/value`, { seconds, connections: 1, headers }),
  );
  emit(
    "lease_checkout",
    wrk(`${sqlite.url}/v1/lease/bench/key`, {
      seconds,
      connections: 32,
      headers,
      script: join(import.meta.dir, "lease.lua"),
    }),
  );
} finally {
  sqlite.stop();
  ceiling.proc.kill();
}

const pg = await startPostgres();
try {
  const db = await cloneDatabase(pg.url("postgres"));
  const a = await server({ GATEHOUSE_DATABASE_URL: db });
  const b = await server({ GATEHOUSE_DATABASE_URL: db });
  try {
    const token = await seed(a.url);
    const headers = { authorization: `Bearer ${token}` };
    emit(
      "secret_read_pg_1_replica",
      wrk(`${a.url}/v1/secrets/bench/key/value`, { seconds, connections: 32, headers }),
    );
    emit(
      "secret_read_pg_2_replicas",
      await wrkParallel(
        [a, b].map((s) => ({
          url: `${s.url}/v1/secrets/bench/key/value`,
          opts: { seconds, connections: 16, headers },
        })),
      ),
    );
  } finally {
    a.stop();
    b.stop();
  }
} finally {
  pg.stop();
}
