import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import { backoffMs } from "../src/modules/dynamic/service";
import { agentToken, createPolicy } from "./harness/agents";
import { createTestApp, ENGINES, type TestApp } from "./harness/app";
import {
  checkout,
  type DbCredential,
  type Err,
  fails,
  leaseAudit,
  leaseRow,
  pathLeases,
  revoke,
  saveConfig,
} from "./harness/dynamic";
import { MARIADB_ADMIN, type MariaDb, startMariaDb } from "./harness/mariadb";

// The MySQL provider, verified on the harness's MariaDB 10.11 (Debian has MariaDB, not MySQL).

const ROOT = "root-token-for-dynamic-mysql-tests-0123456789";
const ADMIN_PASSWORD = randomBytes(12).toString("hex");
const started = performance.now();
let db: MariaDb;

beforeAll(async () => {
  db = await startMariaDb(ADMIN_PASSWORD);
  await db.query("CREATE DATABASE appdb");
  await db.query("CREATE TABLE appdb.items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50))");
  await db.query("INSERT INTO appdb.items (name) VALUES ('one'), ('two')");
  await db.query("CREATE DATABASE otherdb");
  await db.query("CREATE TABLE otherdb.secrets (v VARCHAR(50))");
});
afterAll(async () => {
  await db.close();
  console.log(`dynamic MySQL (MariaDB) suite done after ${Math.round(performance.now() - started)} ms`);
});

const config = (extra: Record<string, unknown> = {}) => ({
  host: "127.0.0.1",
  port: db.port,
  database: "appdb",
  user: MARIADB_ADMIN,
  password: ADMIN_PASSWORD,
  ...extra,
});

async function as<T>(c: DbCredential, fn: (conn: mysql.Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection({
    host: "127.0.0.1",
    port: c.port,
    user: c.username,
    password: c.password,
    database: c.database,
    connectTimeout: 3000,
  });
  try {
    return await fn(conn);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}
const login = (c: DbCredential) =>
  as(c, async (conn) => {
    const [rows] = await conn.query<mysql.RowDataPacket[]>("SELECT CURRENT_USER() AS u");
    return String(rows[0]?.u);
  });
const userRows = async (name: string) =>
  (await db.query<{ Host: string }[]>("SELECT Host FROM mysql.user WHERE User = ?", [name])).map(
    (r) => r.Host,
  );

for (const engine of ENGINES) {
  describe(`dynamic MySQL (MariaDB 10.11) on ${engine}`, () => {
    let t: TestApp;
    let clock = Date.now();
    let agent: { identity: string; token: string };
    const path = `db/maria-${engine}`;

    beforeAll(async () => {
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT }, { now: () => clock });
      await createPolicy(t, ROOT, "maria-lease", [{ paths: ["db/**"], capabilities: ["lease"] }]);
      // A long AppRole id: the user name must still fit MySQL's 32 characters.
      agent = await agentToken(t, ["maria-lease"]);
      await saveConfig(t, ROOT, path, "mysql", config({ grants: ["select"] }));
    });
    afterAll(() => t.close());

    test("config checks: allowlisted grants, host pattern, identifiers; validate asks the server", async () => {
      const bad = async (extra: Record<string, unknown>, field: string) => {
        const r = await t.req<Err>("POST", "/v1/dynamic", {
          token: ROOT,
          body: { path: "db/maria-bad", provider_type: "mysql", config: config(extra) },
        });
        expect(r.status, JSON.stringify(extra)).toBe(400);
        expect(r.body.field).toBe(field);
      };
      await bad({ grants: ["SUPER"] }, "config.grants");
      await bad({ grants: ["SELECT", "FILE"] }, "config.grants");
      await bad({ grants: ["GRANT OPTION"] }, "config.grants");
      await bad({ allowed_host: "%' IDENTIFIED BY 'x" }, "config.allowed_host");
      await bad({ allowed_host: "a b" }, "config.allowed_host");
      await bad({ database: "app`db" }, "config.database");
      await bad({ port: 70000 }, "config.port");
      await bad({ shell: "yes" }, "config.shell");
      const ok = await t.req<{ ok: boolean }>("POST", `/v1/dynamic/${path}/validate`, { token: ROOT });
      expect(ok.body).toEqual({ ok: true });
      await db.query("CREATE USER IF NOT EXISTS 'weak'@'127.0.0.1' IDENTIFIED BY 'weakpassword1'");
      await saveConfig(
        t,
        ROOT,
        "db/maria-weak",
        "mysql",
        config({ user: "weak", password: "weakpassword1" }),
      );
      const weak = await t.req<{ ok: boolean; error: string }>("POST", "/v1/dynamic/db/maria-weak/validate", {
        token: ROOT,
      });
      expect(weak.body.ok).toBe(false);
      expect(weak.body.error).toContain("CREATE USER and GRANT OPTION");
    });

    test("checkout: a user within 32 characters that can SELECT on its database and nothing more", async () => {
      const r = await checkout<DbCredential>(t, agent.token, path, { ttl: 600 });
      expect(r.status, r.text).toBe(200);
      const c = r.body.credential;
      expect(c.username.length).toBeLessThanOrEqual(32);
      expect(c.username).toMatch(/^gh_[a-z0-9_]+_[0-9a-f]{12}$/);
      expect(c).toMatchObject({ host: "127.0.0.1", port: db.port, database: "appdb" });
      expect(await login(c)).toBe(`${c.username}@%`);
      await as(c, async (conn) => {
        const [rows] = await conn.query<mysql.RowDataPacket[]>("SELECT name FROM items ORDER BY id LIMIT 2");
        expect(rows.map((x) => x.name)).toEqual(["one", "two"]);
        expect(await fails(() => conn.query("INSERT INTO items (name) VALUES ('x')"))).toContain("denied");
        expect(await fails(() => conn.query("SELECT * FROM otherdb.secrets"))).toContain("denied");
        expect(await fails(() => conn.query("CREATE USER 'evil'@'%'"))).toContain("denied");
        expect(await fails(() => conn.query("DROP TABLE items"))).toContain("denied");
      });
      expect(await fails(() => login({ ...c, password: "wrong" }))).toContain("Access denied");
      expect(await userRows(c.username)).toEqual(["%"]);
    });

    test("the host pattern is applied: a user for 10.9.8.% cannot log in from 127.0.0.1", async () => {
      await saveConfig(t, ROOT, `db/maria-remote-${engine}`, "mysql", config({ allowed_host: "10.9.8.%" }));
      const r = await checkout<DbCredential>(t, agent.token, `db/maria-remote-${engine}`);
      expect(r.status, r.text).toBe(200);
      expect(await userRows(r.body.credential.username)).toEqual(["10.9.8.%"]);
      expect(await fails(() => login(r.body.credential))).toContain("Access denied");
      expect((await revoke(t, agent.token, r.body.lease_id)).status).toBe(200);
      expect(await userRows(r.body.credential.username)).toEqual([]);
    });

    test("revoke kills open sessions and drops the user", async () => {
      const r = await checkout<DbCredential>(t, agent.token, path);
      const c = r.body.credential;
      const open = await mysql.createConnection({
        host: "127.0.0.1",
        port: c.port,
        user: c.username,
        password: c.password,
        database: c.database,
      });
      await open.query("SELECT 1");
      const done = await revoke(t, agent.token, r.body.lease_id);
      expect(done.status, done.text).toBe(200);
      expect(await fails(() => open.query("SELECT 1"))).toBeTruthy();
      open.destroy();
      expect(await fails(() => login(c))).toContain("Access denied");
      expect(await userRows(c.username)).toEqual([]);
      expect((await revoke(t, agent.token, r.body.lease_id)).status).toBe(409);
    });

    test("expiry: the reaper drops the user (the engine has no account expiry)", async () => {
      await t.ctx.dynamic.reapOnce();
      const r = await checkout<DbCredential>(t, agent.token, path, { ttl: 30 });
      expect(await login(r.body.credential)).toContain(r.body.credential.username);
      clock += 30_000;
      expect(await t.ctx.dynamic.reapOnce()).toBe(1);
      expect(await fails(() => login(r.body.credential))).toContain("Access denied");
      expect((await leaseAudit(t, r.body.lease_id)).map((a) => a.action)).toEqual([
        "dynamic.checkout",
        "dynamic.reap",
      ]);
    });

    test("server down during revoke: revoke_failed with the reason, retried with backoff once it is back", async () => {
      const r = await checkout<DbCredential>(t, agent.token, path);
      const c = r.body.credential;
      await db.stop();
      try {
        const failed = await revoke(t, agent.token, r.body.lease_id);
        expect(failed.status).toBe(502);
        expect(failed.body.code).toBe("upstream_failed");
        expect(failed.text).not.toContain(ADMIN_PASSWORD);
        const listed = await pathLeases(t, ROOT, path);
        const item = listed.body.leases.find((l) => l.id === r.body.lease_id);
        expect(item).toMatchObject({ status: "revoke_failed", revoke_attempts: 1 });
        expect(item?.last_error).toContain("ECONNREFUSED");
        expect(item?.next_attempt_at).toBe(new Date(clock + backoffMs(1)).toISOString());
        // Still failing at the first retry: the backoff doubles.
        clock += backoffMs(1);
        expect(await t.ctx.dynamic.reapOnce()).toBe(1);
        expect(await leaseRow(t, r.body.lease_id)).toMatchObject({
          status: "revoke_failed",
          revokeAttempts: 2,
          nextAttemptAt: clock + backoffMs(2),
        });
      } finally {
        await db.start();
      }
      expect(await login(c)).toContain(c.username);
      clock += backoffMs(2);
      expect(await t.ctx.dynamic.reapOnce()).toBe(1);
      expect(await fails(() => login(c))).toContain("Access denied");
      expect(await leaseRow(t, r.body.lease_id)).toMatchObject({ status: "revoked", revokeAttempts: 3 });
      const audit = await leaseAudit(t, r.body.lease_id);
      expect(audit.map((a) => a.action)).toEqual([
        "dynamic.checkout",
        "dynamic.revoke.error",
        "dynamic.revoke.error",
        "dynamic.revoke",
      ]);
      expect(JSON.stringify(audit)).not.toContain(ADMIN_PASSWORD);
    });
  });
}
