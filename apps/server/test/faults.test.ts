// Fault tests (issue 15, PRODUCT.md §8, §10, §13): what a crash, a full disk, an unwritable store, a
// database restart and failing upstreams do to a running server.
//
// Error codes under faults (documented here and in docs):
// - The database cannot be written or reached (disk full, read-only file, a trigger or REVOKE refusing
//   the insert, the PostgreSQL connection gone): 503 `unavailable`. The change and its audit entry share
//   one transaction, so nothing was kept.
// - Only the audit append failed (an audited read, whose only write is its audit entry, or a store that
//   refuses audit_log alone): 503 `audit_unavailable`. With a full disk an audited read reports this.
// Either way the envelope is {error, code, request_id}, never a 500, and the process stays up.

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import postgres from "postgres";
import { type HttpFixture, startHttpFixture } from "./fixtures/mcp-http-server";
import {
  CANARY,
  createTestApp,
  ENGINES,
  type Engine,
  pgBaseUrl,
  recordHit,
  type TestApp,
} from "./harness/app";
import { call, errorOf, gatewayClient } from "./harness/gateway";
import { cloneDatabase, freePort, startPostgres } from "./harness/postgres";
import { callJson, type ServerProcess, startServerProcess } from "./harness/server-process";

const ROOT = "root-token-for-fault-tests-0123456789abcdef";
const started = performance.now();
type Body = Record<string, unknown>;

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
const servers: ServerProcess[] = [];
afterAll(() => {
  for (const s of servers) if (s.proc.exitCode === null) s.proc.kill(9);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  console.log(`faults suite done after ${Math.round(performance.now() - started)} ms`);
});

async function boot(opts: Parameters<typeof startServerProcess>[0]): Promise<ServerProcess> {
  const s = await startServerProcess(opts);
  servers.push(s);
  return s;
}

const api =
  (s: ServerProcess) => async (method: string, path: string, body?: unknown, timeoutMs?: number) => {
    const r = await callJson(s.url, ROOT, method, path, body, timeoutMs);
    if (r.status) recordHit(method, path, r.status);
    return r;
  };

/** A failed answer must be the envelope with a known 5xx code under a fault. */
function expectCleanFailure(r: { status: number; body: Body; text: string }, codes: string[]) {
  expect(r.status, r.text).toBe(503);
  expect(codes, r.text).toContain(r.body.code as string);
  expect(typeof r.body.error).toBe("string");
  expect(typeof r.body.request_id).toBe("string");
}

/** Secret writes from `writers` concurrent loops until `stop()`; acknowledged ones are kept with their values. */
function writeLoad(s: ServerProcess, prefix: string, writers: number) {
  const acked = new Map<string, string>();
  const failures: string[] = [];
  let running = true;
  const call = api(s);
  const loops = Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; running; i++) {
      const path = `${prefix}/w${w}-${i}`;
      const value = `value-${w}-${i}-${randomBytes(4).toString("hex")}`;
      const r = await call("POST", `/v1/secrets/${path}`, { value });
      if (r.status === 201) acked.set(path, value);
      else if (r.status === 0)
        return; // the connection died with the process: not acknowledged
      else failures.push(`${r.status} ${r.text.slice(0, 200)}`);
      // Every few writes an audited read, so group-committed audit entries are in flight too.
      if (i % 4 === 3) await call("GET", `/v1/secrets/${path}/value`);
    }
  });
  return {
    acked,
    failures,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function expectAckedPresent(s: ServerProcess, acked: Map<string, string>) {
  const call = api(s);
  const missing: string[] = [];
  for (const [path, value] of acked) {
    const r = await call("GET", `/v1/secrets/${path}/value`);
    if (r.status !== 200 || r.body.value !== value)
      missing.push(`${path}: ${r.status} ${r.text.slice(0, 100)}`);
  }
  expect(missing).toEqual([]);
}

async function expectChainVerifies(s: ServerProcess) {
  const v = await api(s)("POST", "/v1/audit/verify");
  expect(v.status, v.text).toBe(200);
  expect(v.body.ok, v.text).toBe(true);
  return Number(v.body.checked);
}

function sqliteIntegrity(file: string): string {
  const db = new Database(file);
  try {
    return String((db.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check);
  } finally {
    db.close();
  }
}

// ------------------------------------------------------------------------------------------------

describe("kill -9 under write load", () => {
  for (const engine of ENGINES) {
    test(`${engine}: every acknowledged write survives, with its audit entry, and the chain verifies`, async () => {
      const dataDir = tempDir("gh-fault-kill-");
      const databaseUrl = engine === "pg" ? await cloneDatabase(await pgBaseUrl()) : undefined;
      const key = randomBytes(32).toString("hex");
      const s = await boot({ dataDir, databaseUrl, masterKey: key, rootToken: ROOT });
      const load = writeLoad(s, `kill/${engine}`, 8);
      // Long enough for group commits and concurrent transactions to be in flight when the process dies.
      for (let i = 0; i < 100 && load.acked.size < 60; i++) await Bun.sleep(50);
      await s.kill9();
      await load.stop();
      expect(load.failures).toEqual([]);
      expect(load.acked.size).toBeGreaterThan(20);

      if (engine === "sqlite") expect(sqliteIntegrity(join(dataDir, "gatehouse.db"))).toBe("ok");
      const again = await boot({ dataDir, databaseUrl, masterKey: key, rootToken: ROOT });
      await expectAckedPresent(again, load.acked);
      const checked = await expectChainVerifies(again);
      expect(checked).toBeGreaterThan(load.acked.size);
      // Each acknowledged write has its own successful audit entry (written in the same transaction).
      const audited = new Set<string>();
      for (let before: string | null = null; ; ) {
        const page = await api(again)(
          "GET",
          `/v1/audit?action=secret.write&limit=1000${before ? `&before_seq=${before}` : ""}`,
        );
        expect(page.status, page.text).toBe(200);
        for (const e of page.body.entries as { path: string; success: boolean }[])
          if (e.success) audited.add(e.path);
        before = (page.body.next_before_seq as string | null) ?? null;
        if (!before) break;
      }
      expect([...load.acked.keys()].filter((p) => !audited.has(p))).toEqual([]);
      await again.stop();
    }, 120_000);
  }
});

// ------------------------------------------------------------------------------------------------

describe("full disk (prlimit --fsize) on SQLite", () => {
  test("writes fail with a clean 503; after a restart without the limit nothing is corrupt or lost", async () => {
    const dataDir = tempDir("gh-fault-disk-");
    const key = randomBytes(32).toString("hex");
    const file = join(dataDir, "gatehouse.db");
    // Boot once without a limit: schema, keyring and a first secret; a clean stop checkpoints the WAL.
    const first = await boot({ dataDir, masterKey: key, rootToken: ROOT });
    expect((await api(first)("POST", "/v1/secrets/disk/before", { value: "kept" })).status).toBe(201);
    expect(await first.stop()).toBe(0);
    const size = Math.max(
      ...readdirSync(dataDir)
        .filter((f) => f.startsWith("gatehouse.db"))
        .map((f) => statSync(join(dataDir, f)).size),
    );

    // Now no file of the process may grow past the database's size plus 192 KiB: the WAL fills up.
    const limit = size + 192 * 1024;
    const s = await boot({
      dataDir,
      masterKey: key,
      rootToken: ROOT,
      wrap: ["prlimit", `--fsize=${limit}`, "--"],
    });
    const call = api(s);
    const acked = new Map<string, string>([["disk/before", "kept"]]);
    let failed: { status: number; body: Body; text: string } | undefined;
    for (let i = 0; i < 400 && !failed; i++) {
      const value = `${CANARY}-${i}-${"x".repeat(8000)}`;
      const r = await call("POST", `/v1/secrets/disk/k${i}`, { value });
      if (r.status === 201) acked.set(`disk/k${i}`, value);
      else failed = r;
    }
    expect(acked.size).toBeGreaterThan(3);
    expect(failed, "the limit was never reached").toBeDefined();
    expectCleanFailure(failed as NonNullable<typeof failed>, ["unavailable", "audit_unavailable"]);
    // Still full: more writes and an audited read fail the same clean way; the process stays up.
    expectCleanFailure(await call("POST", "/v1/secrets/disk/after", { value: "x".repeat(8000) }), [
      "unavailable",
      "audit_unavailable",
    ]);
    // An audited read writes one small audit row: it may still fit in the space the failed write left,
    // or fail the same clean way; never a 500, never a wrong value.
    const read = await call("GET", "/v1/secrets/disk/before/value");
    if (read.status === 200) expect(read.body.value).toBe("kept");
    else expectCleanFailure(read, ["audit_unavailable", "unavailable"]);
    expect((await fetch(`${s.url}/health/live`)).status).toBe(200);
    expect(s.proc.exitCode).toBeNull();
    expect(s.output()).not.toContain(CANARY);
    await s.kill9();

    expect(sqliteIntegrity(file)).toBe("ok");
    const again = await boot({ dataDir, masterKey: key, rootToken: ROOT });
    await expectAckedPresent(again, acked);
    expect((await api(again)("GET", "/v1/secrets/disk/after/value")).status).toBe(404);
    await expectChainVerifies(again);
    expect((await api(again)("POST", "/v1/secrets/disk/later", { value: "fine" })).status).toBe(201);
    await again.stop();
  }, 120_000);
});

// ------------------------------------------------------------------------------------------------

// Root ignores file modes (§13): a store is made unwritable with a trigger that refuses inserts.
const refuseInserts = (engine: Engine, table: string): string[] =>
  engine === "sqlite"
    ? [
        `CREATE TRIGGER refuse_${table} BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'store read-only'); END`,
      ]
    : [
        `CREATE FUNCTION refuse_${table}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'store read-only'; END $$ LANGUAGE plpgsql`,
        `CREATE TRIGGER refuse_${table} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_${table}()`,
      ];
const allowInserts = (engine: Engine, table: string): string[] =>
  engine === "sqlite"
    ? [`DROP TRIGGER refuse_${table}`]
    : [`DROP TRIGGER refuse_${table} ON ${table}`, `DROP FUNCTION refuse_${table}()`];

for (const engine of ENGINES) {
  describe(`unwritable stores on ${engine}`, () => {
    let t: TestApp;
    const root = { token: ROOT };
    beforeAll(async () => {
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT });
      expect(
        (await t.req("POST", "/v1/secrets/ro/existing", { ...root, body: { value: CANARY } })).status,
      ).toBe(201);
    });
    afterAll(() => t.close());
    const exec = async (stmts: string[]) => {
      for (const s of stmts) await t.ctx.store.exec(s);
    };
    const successes = async () =>
      (await t.ctx.store.db.select().from(t.ctx.store.t.auditLog)).filter((r) => r.success).length;

    test("a table that refuses inserts: the write is a 503 `unavailable`, reads still work", async () => {
      await exec(refuseInserts(engine, "secrets"));
      try {
        const before = await successes();
        const r = await t.req<Body>("POST", "/v1/secrets/ro/new", { ...root, body: { value: "v" } });
        expect(r.status, r.text).toBe(503);
        expect(r.body).toMatchObject({ code: "unavailable" });
        expect(typeof r.body.request_id).toBe("string");
        expect(await successes()).toBe(before);
        // Updates (no insert into secrets) still go through, and reads are served.
        expect(
          (await t.req("POST", "/v1/secrets/ro/existing", { ...root, body: { value: "v2" } })).status,
        ).toBe(200);
        expect((await t.req<Body>("GET", "/v1/secrets/ro/existing/value", root)).body.value).toBe("v2");
        expect(t.logs.some((l) => l.includes("store unavailable"))).toBe(true);
      } finally {
        await exec(allowInserts(engine, "secrets"));
      }
      expect((await t.req("POST", "/v1/secrets/ro/new", { ...root, body: { value: "v" } })).status).toBe(201);
    });

    test("an audit log that refuses inserts: writes and audited reads are a 503 `audit_unavailable`", async () => {
      await exec(refuseInserts(engine, "audit_log"));
      try {
        const w = await t.req<Body>("POST", "/v1/secrets/ro/blocked", { ...root, body: { value: "v" } });
        expect(w.status, w.text).toBe(503);
        expect(w.body.code).toBe("audit_unavailable");
        const r = await t.req<Body>("GET", "/v1/secrets/ro/existing/value", root);
        expect(r.status, r.text).toBe(503);
        expect(r.body.code).toBe("audit_unavailable");
        expect(r.text).not.toContain("v2");
        expect((await t.req("GET", "/health/live")).status).toBe(200);
      } finally {
        await exec(allowInserts(engine, "audit_log"));
      }
      expect((await t.req("GET", "/v1/secrets/ro/blocked/value", root)).status).toBe(404);
      expect((await t.req<Body>("POST", "/v1/audit/verify", root)).body.ok).toBe(true);
    });
  });
}

// Not only triggers: a database file the server's user may not write (§13: runuser as an unprivileged user).
describe("read-only SQLite file (runuser -u nobody)", () => {
  const canRun =
    process.getuid?.() === 0 && existsSync("/usr/sbin/runuser") && spawnSync("id", ["nobody"]).status === 0;
  test.skipIf(!canRun)(
    "the server either refuses to boot with one clear line, or answers writes with 503",
    async () => {
      const dataDir = tempDir("gh-fault-ro-");
      const key = randomBytes(32).toString("hex");
      const first = await boot({ dataDir, masterKey: key, rootToken: ROOT });
      expect((await api(first)("POST", "/v1/secrets/ro/x", { value: "kept" })).status).toBe(201);
      expect(await first.stop()).toBe(0);
      // Everything stays root's and read-only for others (the directory too, so no -wal/-shm can be made).
      spawnSync("chmod", ["-R", "a+rX,go-w", dataDir]);
      const s = await boot({
        dataDir,
        masterKey: key,
        rootToken: ROOT,
        wrap: ["runuser", "-u", "nobody", "--"],
        env: { HOME: tempDir("gh-fault-home-"), BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" },
        waitReady: false,
      });
      let ready = false;
      for (let i = 0; i < 150 && s.proc.exitCode === null && !ready; i++) {
        ready = await fetch(`${s.url}/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ready) await Bun.sleep(100);
      }
      if (!ready) {
        await s.proc.exited;
        expect(s.proc.exitCode).toBe(1);
        const lines = s.output().trim().split("\n");
        expect(lines.at(-1) ?? "").toMatch(/^gatehouse: /);
        expect(s.output()).not.toMatch(/\n\s+at /); // a message, not a stack trace
      } else {
        const w = await callJson(s.url, ROOT, "POST", "/v1/secrets/ro/y", { value: "v" });
        expectCleanFailure(w, ["unavailable", "audit_unavailable"]);
        await s.kill9();
      }
    },
    60_000,
  );
});

// ------------------------------------------------------------------------------------------------

describe("PostgreSQL restart under load", () => {
  test("requests during the outage are 503 `unavailable`; the server recovers without a restart", async () => {
    const cluster = await startPostgres({ stopWithProcess: true });
    try {
      const databaseUrl = await cloneDatabase(cluster.url("postgres"));
      const dataDir = tempDir("gh-fault-pgrestart-");
      const s = await boot({
        dataDir,
        databaseUrl,
        masterKey: randomBytes(32).toString("hex"),
        rootToken: ROOT,
      });
      const call = api(s);
      expect((await call("POST", "/v1/secrets/pg/before", { value: "kept" })).status).toBe(201);

      const acked = new Map<string, string>([["pg/before", "kept"]]);
      const bad: string[] = [];
      const seen = new Map<number, number>();
      let running = true;
      const loops = Array.from({ length: 6 }, async (_, w) => {
        for (let i = 0; running; i++) {
          const value = `v-${w}-${i}`;
          const path = `pg/w${w}-${i}`;
          const r = await call("POST", `/v1/secrets/${path}`, { value }, 20_000);
          seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
          if (r.status === 201) acked.set(path, value);
          else if (r.status !== 503 || r.body.code !== "unavailable" || typeof r.body.request_id !== "string")
            bad.push(`${r.status} ${r.text.slice(0, 200)}`);
          if (r.status !== 201) await Bun.sleep(50);
        }
      });
      await Bun.sleep(500);
      // A real restart: pg_ctl stops the postmaster (open connections are terminated) and starts it again.
      const admin = postgres(cluster.url("postgres"), { max: 1, onnotice: () => {} });
      const setting = async (name: string) =>
        String(((await admin.unsafe(`SHOW ${name}`)) as Record<string, unknown>[])[0]?.[name]);
      const pgData = await setting("data_directory");
      // pg_ctl start does not reuse the options the harness started it with (restart would, but with no gap).
      const options = `-p ${await setting("port")} -k ${await setting("unix_socket_directories")} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`;
      await admin.end();
      pgCtl(["-D", pgData, "-m", "fast", "-w", "stop"]);
      await Bun.sleep(1500);
      // -l: the postmaster must not inherit our pipes (spawnSync would wait for it to exit).
      pgCtl(["-D", pgData, "-l", join(dirname(pgData), "log"), "-o", options, "-w", "start"]);
      // Recovered: a write succeeds again within a few seconds, with no restart of the server.
      const upAt = performance.now();
      let recovered = false;
      let last = "";
      for (let i = 0; i < 100 && !recovered; i++) {
        const probe = await call("POST", `/v1/secrets/pg/probe${i}`, { value: "p" });
        recovered = probe.status === 201;
        last = `${probe.status} ${probe.text.slice(0, 300)}`;
        if (!recovered) await Bun.sleep(200);
      }
      if (!recovered) console.log(`not recovered; last probe: ${last}\n${s.output().slice(-3000)}`);
      const recoveryMs = performance.now() - upAt;
      await Bun.sleep(500);
      running = false;
      await Promise.all(loops);
      expect(recovered).toBe(true);
      // The pool's reconnect backoff is capped (2 s), so serving resumes promptly once the database is up.
      expect(recoveryMs).toBeLessThan(10_000);
      expect(bad).toEqual([]);
      expect(seen.get(503) ?? 0, JSON.stringify([...seen])).toBeGreaterThan(0);
      expect(s.proc.exitCode).toBeNull();
      await expectAckedPresent(s, acked);
      await expectChainVerifies(s);
      expect((await fetch(`${s.url}/health/ready`)).status).toBe(200);
      await s.stop();
    } finally {
      try {
        cluster.stop();
      } catch {
        // Already down when the test failed midway: its own error is the one to see.
      }
    }
  }, 120_000);
});

function pgCtl(args: string[]) {
  const base = "/usr/lib/postgresql";
  const version = readdirSync(base)
    .sort((a, b) => Number(b) - Number(a))
    .find((v) => existsSync(join(base, v, "bin/pg_ctl")));
  const bin = join(base, version ?? "15", "bin/pg_ctl");
  const cmd = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--", bin, ...args] : [bin, ...args];
  const r = spawnSync(cmd[0] as string, cmd.slice(1), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (r.status !== 0) throw new Error(`pg_ctl ${args.join(" ")}: ${r.stderr || r.stdout}`);
}

// ------------------------------------------------------------------------------------------------

/** A TCP server that misbehaves in one chosen way. */
async function badUpstream(
  kind: "reset" | "hang" | "garbage" | "half" | "short-body",
): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on("error", () => {});
    sock.on("close", () => sockets.delete(sock));
    sock.once("data", () => {
      if (kind === "reset") sock.resetAndDestroy();
      else if (kind === "garbage") sock.end("SSH-2.0-OpenSSH_9.2\r\n\0\0\0garbage\r\n\r\n");
      else if (kind === "half") {
        sock.write(
          'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"partial":',
        );
        setTimeout(() => sock.resetAndDestroy(), 50);
      } else if (kind === "short-body") {
        sock.end(
          'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"short":1}',
        );
      }
      // "hang": read the request, never answer.
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

for (const engine of ENGINES) {
  describe(`proxy upstream failures on ${engine}`, () => {
    let t: TestApp;
    const root = { token: ROOT };
    beforeAll(async () => {
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT });
      const r = await t.req("POST", "/v1/secrets/up/key", {
        ...root,
        body: { value: CANARY, metadata: { allowed_domains: "127.0.0.1" } },
      });
      expect(r.status, r.text).toBe(201);
    });
    afterAll(() => t.close());
    const proxy = (url: string, extra: Body = {}) =>
      t.req<Body>("POST", "/v1/proxy", {
        ...root,
        body: { method: "GET", url, inject: { Authorization: "up/key" }, ...extra },
      });

    test.each([
      ["refuses the connection", null, 502, "upstream_failed"],
      ["resets it on the request", "reset", 502, "upstream_failed"],
      ["answers with something that is not HTTP", "garbage", 502, "upstream_failed"],
      ["resets it halfway through the body", "half", 502, "upstream_failed"],
      ["closes before the promised length", "short-body", 502, "upstream_failed"],
      ["never answers (1 s timeout)", "hang", 504, "upstream_timeout"],
    ] as const)(
      "an upstream that %s: a clean %i, audited, no credential in the answer",
      async (_name, kind, status, code) => {
        const up = kind ? await badUpstream(kind) : { port: await freePort(), close() {} };
        try {
          const t0 = performance.now();
          const r = await proxy(`http://127.0.0.1:${up.port}/x`, { timeout: 1000 });
          expect(r.status, r.text).toBe(status);
          expect(r.body.code).toBe(code);
          expect(typeof r.body.request_id).toBe("string");
          expect(r.text).not.toContain(CANARY);
          expect(performance.now() - t0).toBeLessThan(10_000);
          const rows = await t.ctx.store.db.select().from(t.ctx.store.t.auditLog);
          const entry = rows.find((x) => x.requestId === r.body.request_id);
          expect(entry?.success).toBe(false);
        } finally {
          up.close();
        }
      },
    );

    test("after a run of failures the proxy still works", async () => {
      const ok = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.json({ fine: true }) });
      try {
        const r = await proxy(`http://127.0.0.1:${ok.port}/x`);
        expect(r.status, r.text).toBe(200);
        expect(r.body.status).toBe(200);
      } finally {
        ok.stop(true);
      }
    });
  });
}

// ------------------------------------------------------------------------------------------------

describe("gateway upstream failures (HTTP upstreams)", () => {
  let t: TestApp;
  let fixture: HttpFixture;
  const root = { token: ROOT };
  beforeAll(async () => {
    // A start (connect, initialize, tools/list) may take 3 s here instead of 30 s: the hanging upstream.
    t = await createTestApp(
      "sqlite",
      { GATEHOUSE_ROOT_TOKEN: ROOT },
      { gateway: { startTimeoutMs: 3000, backoff: { baseMs: 100, maxMs: 500 } } },
    );
    fixture = startHttpFixture();
  });
  afterAll(async () => {
    await fixture.stop();
    await t.close();
  });
  const register = async (name: string, url: string, extra: Body = {}) => {
    const r = await t.req<Body>("POST", "/v1/mcp/servers", {
      ...root,
      body: { name, transport: "http", url, timeout_seconds: 2, ...extra },
    });
    expect(r.status, r.text).toBe(201);
  };

  test("refused, reset, not-MCP and hanging upstreams: clean 502/504 envelopes, the vault's tools unaffected", async () => {
    const refusedPort = await freePort();
    const reset = await badUpstream("reset");
    const garbage = await badUpstream("garbage");
    const hang = await badUpstream("hang");
    try {
      await register("refused", `http://127.0.0.1:${refusedPort}/mcp`);
      await register("reset", `http://127.0.0.1:${reset.port}/mcp`);
      await register("garbage", `http://127.0.0.1:${garbage.port}/mcp`);
      await register("hang", `http://127.0.0.1:${hang.port}/mcp`);
      for (const [name, codes] of [
        ["refused", ["upstream_failed"]],
        ["reset", ["upstream_failed"]],
        ["garbage", ["upstream_failed"]],
        ["hang", ["upstream_timeout", "upstream_failed"]],
      ] as const) {
        const t0 = performance.now();
        const r = await t.req<Body>("GET", `/v1/mcp/servers/${name}/tools`, root);
        expect(r.status === 502 || r.status === 504, `${name}: ${r.status} ${r.text}`).toBe(true);
        expect(codes as readonly string[]).toContain(r.body.code as string);
        expect(typeof r.body.request_id).toBe("string");
        expect(performance.now() - t0, `${name} took too long`).toBeLessThan(15_000);
        const tested = await t.req<Body>("POST", `/v1/mcp/servers/${name}/test`, root);
        expect(tested.status, tested.text).toBeLessThan(600);
        expect(tested.status === 200 || tested.status >= 500, tested.text).toBe(true);
        expect(tested.status).not.toBe(500);
      }
      // The MCP endpoint still lists the vault's own tools and answers them.
      const { client } = await gatewayClient(t, ROOT);
      const tools = await client.listTools();
      expect(tools.tools.some((x) => x.name === "gatehouse_status")).toBe(true);
      await client.close();
    } finally {
      reset.close();
      garbage.close();
      hang.close();
    }
  }, 90_000);

  test("an upstream that goes away mid-session: the call fails cleanly, and works again once it is back", async () => {
    await register("web", fixture.url);
    const { client } = await gatewayClient(t, ROOT);
    const tools = await client.listTools();
    expect(tools.tools.some((x) => x.name === "web__echo")).toBe(true);
    const port = fixture.port;
    await fixture.stop();
    const failed = errorOf(await call(client, "web__echo", { text: "hello" }));
    expect(["upstream_failed", "upstream_timeout", "unavailable"]).toContain(failed.code);
    // Back on the same port (a restarted upstream): the gateway reconnects.
    fixture = startHttpFixtureOn(port);
    let text = "";
    for (let i = 0; i < 20 && !text.includes("again"); i++) {
      const r = await call(client, "web__echo", { text: "again" });
      if (!r.isError) text = JSON.stringify(r.content);
      else await Bun.sleep(300);
    }
    expect(text).toContain("again");
    await client.close();
  }, 90_000);
});

/** The HTTP fixture, on a given port (an upstream restarted where it was). */
function startHttpFixtureOn(port: number): HttpFixture {
  const original = Bun.serve;
  // startHttpFixture binds port 0; bind the requested port instead by wrapping Bun.serve once.
  (Bun as { serve: typeof Bun.serve }).serve = ((options: Parameters<typeof Bun.serve>[0]) =>
    original({ ...(options as object), port } as Parameters<typeof Bun.serve>[0])) as typeof Bun.serve;
  try {
    return startHttpFixture();
  } finally {
    (Bun as { serve: typeof Bun.serve }).serve = original;
  }
}
