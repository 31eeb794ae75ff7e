import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { backoffMs, STUCK_AFTER_MS } from "../src/modules/dynamic/service";
import { agentToken, createPolicy } from "./harness/agents";
import { createTestApp, ENGINES, pgBaseUrl, type TestApp } from "./harness/app";
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
import { type ManagedPg, managedPgDatabase } from "./harness/pg-managed";

// The PostgreSQL provider against the harness cluster: a database it manages, a password-only login
// for it (pg_hba scram-sha-256), a superuser for the provider.

const ROOT = "root-token-for-dynamic-pg-tests-0123456789abcd";
const started = performance.now();
let pg: ManagedPg;

beforeAll(async () => {
  pg = await managedPgDatabase(await pgBaseUrl(), "dyn_pg");
  await pg.sql.unsafe(`
    CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL);
    INSERT INTO items (name) VALUES ('one'), ('two');
    CREATE SCHEMA hidden;
    CREATE TABLE hidden.secrets (v text);
    INSERT INTO hidden.secrets VALUES ('nope');
  `);
});
afterAll(async () => {
  await pg.close();
  console.log(`dynamic PostgreSQL suite done after ${Math.round(performance.now() - started)} ms`);
});

const login = async (c: DbCredential) => {
  const sql = pg.connectAs(c.username, c.password);
  try {
    return (await sql<{ u: string }[]>`SELECT current_user AS u`)[0]?.u;
  } finally {
    await sql.end();
  }
};
const roleExists = async (name: string) =>
  (await pg.sql`SELECT 1 FROM pg_roles WHERE rolname = ${name}`).length === 1;

for (const engine of ENGINES) {
  describe(`dynamic PostgreSQL on ${engine}`, () => {
    let t: TestApp;
    let clock = Date.now();
    let agent: { identity: string; token: string };
    const path = `db/pg-${engine}`;
    const writerPath = `db/pg-writer-${engine}`;

    beforeAll(async () => {
      clock = Date.now();
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT }, { now: () => clock });
      await createPolicy(t, ROOT, "pg-lease", [{ paths: ["db/**"], capabilities: ["lease"] }]);
      await createPolicy(t, ROOT, "pg-gated", [
        { paths: ["gated/**"], capabilities: ["lease"], approval: { required: true, max_ttl: 600 } },
      ]);
      agent = await agentToken(t, ["pg-lease", "pg-gated"]);
      await saveConfig(t, ROOT, path, "postgresql", pg.config({ grants: ["SELECT"] }));
      await saveConfig(t, ROOT, writerPath, "postgresql", pg.config({ grants: "select, insert" }));
    });
    afterAll(() => t.close());

    test("the config is validated against the server; the admin password is never shown", async () => {
      const v = await t.req<{ ok: boolean }>("POST", `/v1/dynamic/${path}/validate`, { token: ROOT });
      expect(v.body).toEqual({ ok: true });
      const got = await t.req<{ config: Record<string, unknown> }>("GET", `/v1/dynamic/${path}`, {
        token: ROOT,
      });
      expect(got.body.config).toMatchObject({ password: "***", grants: ["SELECT"], schema: "public" });
      expect(got.text).not.toContain(pg.admin.password);
      // A config that connects but with a wrong password: validate reports it, without the password.
      await saveConfig(t, ROOT, "db/pg-bad", "postgresql", pg.config({ password: "wrong-admin-password" }));
      const bad = await t.req<{ ok: boolean; error: string }>("POST", "/v1/dynamic/db/pg-bad/validate", {
        token: ROOT,
      });
      expect(bad.body.ok).toBe(false);
      expect(bad.body.error).toContain("password authentication failed");
      expect(bad.text).not.toContain("wrong-admin-password");
    });

    test("checkout: a role that logs in with its password, can SELECT in public and nothing more", async () => {
      const r = await checkout<DbCredential & { valid_until: string }>(t, agent.token, path, { ttl: 600 });
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ path, provider_type: "postgresql", ttl_seconds: 600 });
      expect(r.body.lease_id).toMatch(/^dlease-[0-9a-f-]{36}$/);
      const c = r.body.credential;
      expect(c.username).toMatch(/^gh_role_[a-z0-9_]+_[0-9a-f]{12}$/);
      expect(c).toMatchObject({ host: "127.0.0.1", port: pg.port, database: pg.database });
      expect(await login(c)).toBe(c.username);
      expect(await fails(() => login({ ...c, password: `${c.password}x` }))).toContain(
        "password authentication failed",
      );

      const sql = pg.connectAs(c.username, c.password);
      try {
        expect((await sql`SELECT name FROM items ORDER BY id LIMIT 2`).map((x) => x.name)).toEqual([
          "one",
          "two",
        ]);
        expect(await fails(() => sql`INSERT INTO items (name) VALUES ('three')`)).toContain(
          "permission denied",
        );
        expect(await fails(() => sql`DELETE FROM items`)).toContain("permission denied");
        expect(await fails(() => sql`CREATE TABLE mine (x int)`)).toContain("permission denied");
        expect(await fails(() => sql`SELECT * FROM hidden.secrets`)).toContain("permission denied");
        expect(await fails(() => sql`CREATE ROLE escalate`)).toContain("permission denied");
      } finally {
        await sql.end();
      }
      // Default privileges: a table the admin creates later is readable too.
      await pg.sql.unsafe(`CREATE TABLE later_${engine} (x int); INSERT INTO later_${engine} VALUES (7)`);
      const again = pg.connectAs(c.username, c.password);
      try {
        expect((await again.unsafe(`SELECT x FROM later_${engine}`))[0]?.x).toBe(7);
      } finally {
        await again.end();
      }
      // The engine enforces the expiry too.
      const [role] = await pg.sql<
        { until: Date }[]
      >`SELECT rolvaliduntil AS until FROM pg_roles WHERE rolname = ${c.username}`;
      expect(role?.until.getTime()).toBe(Date.parse(r.body.expires_at));
      const audit = await leaseAudit(t, r.body.lease_id);
      expect(audit.map((a) => a.action)).toEqual(["dynamic.checkout"]);
      expect(JSON.stringify(audit)).not.toContain(c.password);
      expect(t.logs.join("\n")).not.toContain(c.password);
    });

    test("write grants include sequences; the lease is listed with the static ones", async () => {
      const r = await checkout<DbCredential>(t, agent.token, writerPath);
      expect(r.status, r.text).toBe(200);
      expect(r.body.ttl_seconds).toBe(300);
      const sql = pg.connectAs(r.body.credential.username, r.body.credential.password);
      try {
        await sql`INSERT INTO items (name) VALUES (${`from-${engine}`})`;
        expect(await fails(() => sql`UPDATE items SET name = 'x'`)).toContain("permission denied");
      } finally {
        await sql.end();
      }
      const list = await t.req<{
        leases: { id: string; kind: string; provider_type: string; status: string }[];
      }>("GET", "/v1/lease", { token: agent.token });
      expect(list.body.leases.find((l) => l.id === r.body.lease_id)).toMatchObject({
        kind: "dynamic",
        provider_type: "postgresql",
        status: "active",
      });
      const check = await pathLeases(t, ROOT, writerPath, "?check=true");
      expect(check.body.provider_active).toContain(r.body.credential.username);
      expect(check.body.leases[0]?.credential_username).toBe(r.body.credential.username);
      expect(check.text).not.toContain(r.body.credential.password);
      // Renew moves the engine's own expiry.
      clock += 1000;
      const renewed = await t.req<{ lease: { expires_at: string } }>(
        "POST",
        `/v1/lease/${r.body.lease_id}/renew`,
        {
          token: agent.token,
          body: { ttl: 900 },
        },
      );
      expect(renewed.status, renewed.text).toBe(200);
      const [role] = await pg.sql<
        { until: Date }[]
      >`SELECT rolvaliduntil AS until FROM pg_roles WHERE rolname = ${r.body.credential.username}`;
      expect(role?.until.getTime()).toBe(clock + 900_000);
      // DELETE /v1/lease works for dynamic leases too.
      const del = await t.req("DELETE", `/v1/lease/${r.body.lease_id}`, { token: agent.token });
      expect(del.status, del.text).toBe(200);
      expect(await roleExists(r.body.credential.username)).toBe(false);
    });

    test("revoke ends open sessions, drops the role, and cannot be repeated", async () => {
      const r = await checkout<DbCredential>(t, agent.token, path, { ttl: 60 });
      const c = r.body.credential;
      const open = pg.connectAs(c.username, c.password);
      await open`SELECT 1`;
      const done = await revoke(t, agent.token, r.body.lease_id);
      expect(done.status, done.text).toBe(200);
      expect(done.body as object).toEqual({ revoked: true, id: r.body.lease_id });
      // The open session was terminated (how the client reports it varies: reset, closed, failed reconnect).
      expect(await fails(() => open`SELECT 1`)).toBeTruthy();
      expect((await pg.sql`SELECT pid FROM pg_stat_activity WHERE usename = ${c.username}`).length).toBe(0);
      await open.end({ timeout: 0 }).catch(() => {});
      expect(await fails(() => login(c))).toContain("password authentication failed");
      expect(await roleExists(c.username)).toBe(false);
      expect((await revoke(t, agent.token, r.body.lease_id)).status).toBe(409);
      const row = await leaseRow(t, r.body.lease_id);
      expect(row).toMatchObject({ status: "revoked", revokeReason: "revoked", credential: null });
    });

    test("expiry: the reaper drops the role when the lease ends", async () => {
      // VALID UNTIL is real time on the server: the clock must not lag behind it here.
      clock = Math.max(clock, Date.now());
      await t.ctx.dynamic.reapOnce();
      const r = await checkout<DbCredential>(t, agent.token, path, { ttl: 10 });
      expect(await login(r.body.credential)).toBe(r.body.credential.username);
      clock += 9_000;
      expect(await t.ctx.dynamic.reapOnce()).toBe(0);
      clock += 1_000;
      expect(await t.ctx.dynamic.reapOnce()).toBe(1);
      expect(await fails(() => login(r.body.credential))).toContain("password authentication failed");
      expect(await leaseRow(t, r.body.lease_id)).toMatchObject({
        status: "revoked",
        revokeReason: "expired",
      });
      const actions = (await leaseAudit(t, r.body.lease_id)).map((a) => a.action);
      expect(actions).toEqual(["dynamic.checkout", "dynamic.reap"]);
    });

    test("an outage during revoke leaves the lease visibly failing; it is revoked once the server is back", async () => {
      const r = await checkout<DbCredential>(t, agent.token, path, { ttl: 600 });
      const c = r.body.credential;
      await pg.allowConnections(false);
      try {
        const failed = await revoke(t, agent.token, r.body.lease_id);
        expect(failed.status).toBe(502);
        expect(failed.body.code).toBe("upstream_failed");
        expect(failed.body.error).toContain("revoke_failed");
        expect(failed.text).not.toContain(pg.admin.password);
        expect(await roleExists(c.username)).toBe(true);
        const listed = await pathLeases(t, ROOT, path);
        const item = listed.body.leases.find((l) => l.id === r.body.lease_id);
        expect(item).toMatchObject({ status: "revoke_failed", revoke_attempts: 1 });
        expect(item?.last_error).toContain("is not currently accepting connections");
        const mine = await t.req<{ leases: { id: string; status: string; revoked: boolean }[] }>(
          "GET",
          "/v1/lease",
          {
            token: agent.token,
          },
        );
        expect(mine.body.leases.find((l) => l.id === r.body.lease_id)).toMatchObject({
          status: "revoke_failed",
          revoked: false,
        });
        // Not retried before its backoff.
        clock += backoffMs(1) - 1;
        expect(await t.ctx.dynamic.reapOnce()).toBe(0);
      } finally {
        await pg.allowConnections(true);
      }
      clock += 1;
      expect(await t.ctx.dynamic.reapOnce()).toBe(1);
      expect(await roleExists(c.username)).toBe(false);
      expect(await leaseRow(t, r.body.lease_id)).toMatchObject({
        status: "revoked",
        revokeAttempts: 2,
        lastError: null,
      });
      const actions = (await leaseAudit(t, r.body.lease_id)).map((a) => a.action);
      expect(actions).toEqual(["dynamic.checkout", "dynamic.revoke.error", "dynamic.revoke"]);
    });

    test("a crash between the intent row and activation: the reaper drops what the engine holds", async () => {
      const provider = t.ctx.dynamic.providers.get("postgresql");
      if (!provider) throw new Error("no provider");
      const username = `gh_crash_${engine}_0123456789ab`;
      const id = `dlease-00000000-0000-0000-0000-${engine === "pg" ? "000000000001" : "000000000002"}`;
      await t.ctx.store.tx((tx) =>
        tx.insert(t.ctx.store.t.dynamicLeases).values({
          id,
          path,
          providerType: "postgresql",
          identity: agent.identity,
          subjectId: "crashed",
          username,
          status: "creating",
          credential: null,
          ttlSeconds: 300,
          createdAt: clock,
          expiresAt: clock + 300_000,
          activatedAt: null,
          revokedAt: null,
          revokeReason: null,
          revokeAttempts: 0,
          nextAttemptAt: clock + STUCK_AFTER_MS,
          lastError: null,
          sourceIp: null,
          approvalRequestId: null,
        }),
      );
      // The provider got as far as creating the role, then the process died.
      const created = await provider.create(await provider.validateConfig(pg.config()), {
        leaseId: id,
        username,
        password: "CrashedPassword123",
        identity: agent.identity,
        ttlSeconds: 300,
        createdAt: clock,
        expiresAt: clock + 300_000,
      });
      expect(await login(created as unknown as DbCredential)).toBe(username);
      clock += STUCK_AFTER_MS - 1;
      expect(await t.ctx.dynamic.reapOnce()).toBe(0);
      clock += 1;
      expect(await t.ctx.dynamic.reapOnce()).toBe(1);
      expect(await roleExists(username)).toBe(false);
      expect(await leaseRow(t, id)).toMatchObject({ status: "revoked", revokeReason: "abandoned" });
      expect((await leaseAudit(t, id)).map((a) => a.action)).toEqual(["dynamic.cleanup"]);
    });

    test("approval: the credential is created at approval and collected from the request", async () => {
      await saveConfig(t, ROOT, "gated/pg", "postgresql", pg.config());
      const pending = await t.req<{ request_id: string; status: string }>(
        "POST",
        "/v1/dynamic/gated/pg/checkout",
        {
          token: agent.token,
          body: { ttl: 120, reason: "migration check" },
        },
      );
      expect(pending.status).toBe(202);
      const approved = await t.req<{ lease_id: string; status: string }>(
        "POST",
        `/v1/requests/${pending.body.request_id}/approve`,
        { token: ROOT },
      );
      expect(approved.status, approved.text).toBe(200);
      expect(approved.body.lease_id).toMatch(/^dlease-/);
      const got = await t.req<{
        status: string;
        credential: DbCredential;
        lease: { lease_id: string; expires_at: string };
      }>("GET", `/v1/requests/${pending.body.request_id}`, { token: agent.token });
      expect(got.body.status).toBe("approved");
      expect(got.body.lease.lease_id).toBe(approved.body.lease_id);
      expect(await login(got.body.credential)).toBe(got.body.credential.username);
      // Collect again (a dropped poll loses nothing); nobody else can.
      const again = await t.req<{ credential: DbCredential }>(
        "GET",
        `/v1/requests/${pending.body.request_id}`,
        {
          token: agent.token,
        },
      );
      expect(again.body.credential.password).toBe(got.body.credential.password);
      const actions = (await leaseAudit(t, approved.body.lease_id)).map((a) => a.action);
      expect(actions).toContain("dynamic.checkout");
      expect(actions).toContain("dynamic.collect");
      expect((await revoke(t, ROOT, approved.body.lease_id)).status).toBe(200);
      const after = await t.req<Record<string, unknown>>("GET", `/v1/requests/${pending.body.request_id}`, {
        token: agent.token,
      });
      expect(after.body.credential).toBeUndefined();
    });

    test("deleting the config revokes its leases first (awaited)", async () => {
      await saveConfig(t, ROOT, "db/pg-temp", "postgresql", pg.config());
      const a = await checkout<DbCredential>(t, agent.token, "db/pg-temp");
      const b = await checkout<DbCredential>(t, agent.token, "db/pg-temp");
      const del = await t.req<{ deleted: boolean; revoked_leases: number }>(
        "DELETE",
        "/v1/dynamic/db/pg-temp",
        {
          token: ROOT,
        },
      );
      expect(del.status, del.text).toBe(200);
      expect(del.body).toMatchObject({ deleted: true, revoked_leases: 2 });
      expect(await roleExists(a.body.credential.username)).toBe(false);
      expect(await roleExists(b.body.credential.username)).toBe(false);
      expect((await t.req<Err>("GET", "/v1/dynamic/db/pg-temp", { token: ROOT })).status).toBe(404);
      expect((await checkout(t, agent.token, "db/pg-temp")).status).toBe(404);
    });
  });
}
