import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { pgBaseUrl, recordHit } from "./harness/app";
import { cloneDatabase, freePort } from "./harness/postgres";

// Two real server processes on one PostgreSQL database (PRODUCT.md §10, issue 13).
const ROOT = "root-token-for-replica-tests-0123456789abcdef";
const KEY = randomBytes(32).toString("hex");
const MAIN = join(import.meta.dir, "../src/main.ts");
type Body = Record<string, unknown>;

interface Replica {
  url: string;
  proc: ReturnType<typeof Bun.spawn>;
  dir: string;
}

let dbUrl: string;
let a: Replica;
let b: Replica;

async function start(): Promise<Replica> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "gh-replica-"));
  const proc = Bun.spawn(["bun", MAIN], {
    env: {
      PATH: process.env.PATH ?? "",
      GATEHOUSE_ENV: "development",
      GATEHOUSE_HOST: "127.0.0.1",
      GATEHOUSE_PORT: String(port),
      GATEHOUSE_DATA_DIR: dir,
      GATEHOUSE_CONFIG_DIR: join(dir, "config"),
      GATEHOUSE_DATABASE_URL: dbUrl,
      GATEHOUSE_MASTER_KEY: KEY,
      GATEHOUSE_ROOT_TOKEN: ROOT,
      GATEHOUSE_ARGON2_MEMORY_KIB: "1024",
      GATEHOUSE_ARGON2_TIME_COST: "1",
      GATEHOUSE_REAPER_INTERVAL_MS: "200",
      GATEHOUSE_LOG_LEVEL: "error",
    },
    stdout: "ignore",
    stderr: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, proc, dir };
    } catch {}
    await Bun.sleep(100);
  }
  throw new Error("replica did not start");
}

async function call(r: Replica, method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const res = await fetch(`${r.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${opts.token ?? ROOT}`, "content-type": "application/json" },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  recordHit(method, path, res.status);
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Body };
}

beforeAll(async () => {
  dbUrl = await cloneDatabase(await pgBaseUrl());
  // Boot A first so its migrations run; B then finds them applied (both take the advisory lock).
  [a, b] = await Promise.all([start(), start()]);
});

afterAll(() => {
  for (const r of [a, b]) {
    r?.proc.kill(9);
    if (r) rmSync(r.dir, { recursive: true, force: true });
  }
});

async function agent() {
  const role = await call(a, "POST", "/v1/auth/approle", {
    body: { display_name: `agent-${Math.random()}`, policies: ["gated"] },
  });
  expect(role.status).toBe(201);
  const login = await call(b, "POST", "/v1/auth/approle/login", {
    body: { role_id: role.body.role_id, secret_id: role.body.secret_id },
  });
  expect(login.status).toBe(200);
  return { roleId: role.body.role_id as string, token: login.body.token as string };
}

describe("two replicas on one PostgreSQL", () => {
  test("a request made on A appears in B's SSE stream; approving on B releases A's long poll", async () => {
    expect(
      (
        await call(a, "POST", "/v1/policy", {
          body: {
            name: "gated",
            rules: [
              {
                paths: ["shared/**"],
                capabilities: ["read", "lease"],
                approval: { required: true, max_ttl: 600 },
              },
            ],
          },
        })
      ).status,
    ).toBe(201);
    expect(
      (await call(b, "POST", "/v1/secrets/shared/db", { body: { value: "replica-value" } })).status,
    ).toBe(201);
    const ag = await agent();

    const ac = new AbortController();
    const res = await fetch(`${b.url}/v1/events`, {
      headers: { authorization: `Bearer ${ROOT}` },
      signal: ac.signal,
    });
    recordHit("GET", "/v1/events", res.status);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let seen = "";
    const watching = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        seen += new TextDecoder().decode(value);
      }
    })();

    const pending = await call(a, "POST", "/v1/lease/shared/db", { token: ag.token, body: { ttl: 300 } });
    expect(pending.status).toBe(202);
    const id = pending.body.request_id as string;
    for (let i = 0; i < 50 && !seen.includes(id); i++) await Bun.sleep(100);
    expect(seen).toContain(id);

    const poll = call(a, "GET", `/v1/requests/${id}?wait=30`, { token: ag.token });
    await Bun.sleep(200);
    expect((await call(b, "POST", `/v1/requests/${id}/approve`, { body: { ttl: 120 } })).status).toBe(200);
    const got = await poll;
    expect(got.body.status).toBe("approved");
    expect(got.body.value).toBe("replica-value");
    ac.abort();
    await watching;
  });

  test("a policy change on A applies on B at once", async () => {
    await call(a, "POST", "/v1/policy", {
      body: { name: "late", rules: [{ paths: ["late/**"], capabilities: ["read"] }] },
    });
    const sim = async () =>
      (
        await call(b, "POST", "/v1/policy/simulate", {
          body: { policies: ["late"], capability: "read", path: "late/x" },
        })
      ).body;
    let ok = false;
    for (let i = 0; i < 30 && !ok; i++) {
      ok = ((await sim()).decision as Body).allowed === true;
      if (!ok) await Bun.sleep(100);
    }
    expect(ok).toBe(true);
  });

  test("200 leases expiring together are each revoked exactly once, with one audit entry each", async () => {
    const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
    try {
      const now = Date.now();
      const rows = Array.from({ length: 200 }, (_, i) => ({
        id: `lease-bulk-${i}`,
        kind: "static",
        path: "shared/db",
        identity: "approle:bulk",
        subject_id: "bulk",
        ttl_seconds: 10,
        created_at: now,
        expires_at: now + 800,
        source_ip: "127.0.0.1",
      }));
      await sql`INSERT INTO leases ${sql(rows)}`;
      let left = 200;
      for (let i = 0; i < 60 && left > 0; i++) {
        await Bun.sleep(200);
        left = Number(
          (
            await sql`SELECT count(*)::int AS n FROM leases WHERE id LIKE 'lease-bulk-%' AND revoked_at IS NULL`
          )[0]?.n,
        );
      }
      expect(left).toBe(0);
      const per =
        await sql`SELECT lease_id, count(*)::int AS n FROM audit_log WHERE action = 'lease.reap' AND lease_id LIKE 'lease-bulk-%' GROUP BY lease_id`;
      expect(per.length).toBe(200);
      expect(per.every((r) => Number(r.n) === 1)).toBe(true);
    } finally {
      await sql.end();
    }
  });

  test("a rate limit hit on A applies on B", async () => {
    const role = await call(a, "POST", "/v1/auth/approle", {
      body: { display_name: "limited", policies: ["gated"] },
    });
    const bad = { role_id: role.body.role_id, secret_id: "wrong-secret-id-value" };
    for (let i = 0; i < 10; i++)
      expect((await call(a, "POST", "/v1/auth/approle/login", { body: bad })).status).toBe(401);
    const onB = await call(b, "POST", "/v1/auth/approle/login", { body: bad });
    expect(onB.status).toBe(429);
  });

  test("the audit chain verifies after concurrent writes on both", async () => {
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(i % 2 ? a : b, "POST", `/v1/secrets/chain/k${i}`, { body: { value: `v${i}` } }),
      ),
    );
    const v = await call(b, "POST", "/v1/audit/verify");
    expect(v.status).toBe(200);
    expect(v.body.ok).toBe(true);
    expect(Number(v.body.checked)).toBeGreaterThan(60);
  });

  test("kill -9 of one replica under load: the other keeps serving and no acknowledged write is lost", async () => {
    const acked = new Map<string, string>();
    let stop = false;
    const writer = async (r: Replica, tag: string) => {
      for (let i = 0; !stop && i < 400; i++) {
        const path = `load/${tag}${i}`;
        const value = `value-${tag}-${i}`;
        try {
          const res = await call(r, "POST", `/v1/secrets/${path}`, { body: { value } });
          if (res.status === 201) acked.set(path, value);
        } catch {
          // A's connection dies with it: not acknowledged, so not expected.
        }
      }
    };
    const loads = [writer(a, "a"), writer(b, "b"), writer(a, "c"), writer(b, "d")];
    await Bun.sleep(700);
    a.proc.kill(9);
    await a.proc.exited;
    const healthB = await fetch(`${b.url}/health`);
    expect(healthB.status).toBe(200);
    await Bun.sleep(500);
    stop = true;
    await Promise.all(loads);
    expect(acked.size).toBeGreaterThan(20);
    for (const [path, value] of acked) {
      const r = await call(b, "GET", `/v1/secrets/${path}/value`);
      expect(r.status).toBe(200);
      expect(r.body.value).toBe(value);
    }
  });
});
