import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { GatehouseError } from "@gatehouse/core";
import { decodeSealed, fingerprint, type Keyring, openString, parseMasterKey } from "@gatehouse/core/crypto";
import { eq, getTableColumns, getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import { createApp } from "../src/app";
import { verifyChain } from "../src/audit/writer";
import type { Actor } from "../src/auth/actor";
import { buildContext } from "../src/boot";
import { loadConfig } from "../src/config";
import type { AppContext } from "../src/context";
import { ENCRYPTED_COLUMNS, type EncryptedColumn, sealedPage } from "../src/db/encrypted";
import { assertKeyringCurrent, getMeta, KeyMismatchError } from "../src/keys";
import { rotateMasterKey } from "../src/modules/admin/service";
import { CANARY, createTestApp, ENGINES, pgBaseUrl, type TestApp } from "./harness/app";
import { type ManagedPg, managedPgDatabase } from "./harness/pg-managed";

const ROOT = "root-token-for-rotation-tests-0123456789abcdef";
const SEALED = /^v1\.\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const newKey = () => randomBytes(32).toString("hex");
const ring = (version: number, hex: string): Keyring => ({ version, current: parseMasterKey(hex) });
const fp = (hex: string) => fingerprint(parseMasterKey(hex));

/** A value the test put in a registered column, with what it needs to open it. */
interface Seeded {
  column: string;
  key: unknown[];
  context: string;
  plaintext: string;
}

const rootActor: Actor = {
  identity: "root",
  kind: "root",
  subjectId: "root",
  displayName: "Root token",
  policies: ["admin"],
  ip: "127.0.0.1",
  requestId: "req_rotation_fault_test",
  authMethod: "root_token",
};

type Err = { code: string; error: string; field?: string };

// A database for the PostgreSQL dynamic provider: live dynamic leases ride through the rotation.
let managed: ManagedPg;
beforeAll(async () => {
  managed = await managedPgDatabase(await pgBaseUrl(), "rot_dyn");
});
afterAll(() => managed.close());
const roleExists = async (name: string) =>
  (await managed.sql`SELECT 1 FROM pg_roles WHERE rolname = ${name}`).length === 1;

for (const engine of ENGINES) {
  describe(`master-key rotation on ${engine}`, () => {
    let t: TestApp;
    const root = { token: ROOT };
    const k1 = () => t.ctx.config.masterKeyHex;
    const k2 = newKey();
    const k4 = newKey();
    const seeded: Seeded[] = [];
    const opened: AppContext[] = [];
    let viewerToken = "";
    const dynLeases: { id: string; username: string; password: string }[] = [];
    let replica: Booted;

    interface Booted {
      ctx: AppContext;
      logs: string[];
      req<T = Record<string, unknown>>(
        method: string,
        path: string,
        opts?: { token?: string; body?: unknown },
      ): Promise<{ status: number; body: T; text: string }>;
    }

    /** Another server on the same database (a replica, or a restart) with its own key settings. */
    async function boot(env: Record<string, string>): Promise<Booted> {
      const config = loadConfig({
        GATEHOUSE_ENV: "development",
        GATEHOUSE_DATA_DIR: t.ctx.config.dataDir,
        GATEHOUSE_CONFIG_DIR: t.ctx.config.configDir,
        GATEHOUSE_ARGON2_MEMORY_KIB: "1024",
        GATEHOUSE_ARGON2_TIME_COST: "1",
        GATEHOUSE_ROOT_TOKEN: ROOT,
        ...(t.ctx.config.databaseUrl ? { GATEHOUSE_DATABASE_URL: t.ctx.config.databaseUrl } : {}),
        ...env,
      });
      const logs: string[] = [];
      const ctx = await buildContext(config, { logSink: (l) => logs.push(l) });
      opened.push(ctx);
      const app = createApp(ctx, { peer: () => "127.0.0.1" });
      return {
        ctx,
        logs,
        async req(method, path, opts = {}) {
          const headers = new Headers();
          if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
          if (opts.body !== undefined) headers.set("content-type", "application/json");
          const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
          const res = await app.handle(new Request(`http://localhost${path}`, { method, headers, body }));
          const text = await res.text();
          return { status: res.status, body: JSON.parse(text), text };
        },
      };
    }

    /** Every value in every registered column, read straight from the database. */
    async function sealedValues(ctx: AppContext) {
      const out: { col: EncryptedColumn; key: unknown[]; value: string }[] = [];
      for (const col of ENCRYPTED_COLUMNS) {
        for (const row of await sealedPage(ctx.store, ctx.store.db, col, undefined, 10_000)) {
          out.push({ col, ...row });
        }
      }
      return out;
    }

    const seedFor = (column: string, key: unknown[]) => {
      const s = seeded.find((x) => x.column === column && JSON.stringify(x.key) === JSON.stringify(key));
      if (!s) throw new Error(`no test data registered for ${column} ${JSON.stringify(key)}`);
      return s;
    };

    /** Opens every stored value with `keyring`; returns the failures. */
    async function openAll(ctx: AppContext, keyring: Keyring): Promise<string[]> {
      const failures: string[] = [];
      for (const v of await sealedValues(ctx)) {
        const s = seedFor(v.col.name, v.key);
        try {
          expect(openString(keyring, v.col.purpose, s.context, v.value)).toBe(s.plaintext);
        } catch {
          failures.push(`${v.col.name} ${JSON.stringify(v.key)}`);
        }
      }
      return failures;
    }

    beforeAll(async () => {
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT });
      const { secrets, secretVersions, users } = t.ctx.store.t;
      const now = Date.now();
      // Secrets: the current version and two archived ones (the secrets module seals with this context).
      const secret = (path: string, version: number, plaintext: string) => {
        const context = `secret:${path}:${version}`;
        return { context, plaintext, value: t.ctx.keys.seal("secret", context, plaintext) };
      };
      const current = secret("app/db/password", 3, CANARY);
      const v1 = secret("app/db/password", 1, "old-password-1");
      const v2 = secret("app/db/password", 2, "old-password-2");
      const base = { metadata: { description: "db" }, createdAt: now, createdBy: "root" };
      await t.ctx.store.tx(async (tx) => {
        await tx.insert(secrets).values({
          ...base,
          path: "app/db/password",
          version: 3,
          value: current.value,
          updatedAt: now,
          updatedBy: "root",
          deletedAt: null,
        });
        for (const [version, v] of [
          [1, v1],
          [2, v2],
        ] as const) {
          await tx
            .insert(secretVersions)
            .values({ ...base, path: "app/db/password", version, value: v.value, archivedAt: now });
        }
      });
      seeded.push(
        { column: "secrets.value", key: ["app/db/password"], ...current },
        { column: "secret_versions.value", key: ["app/db/password", 1], ...v1 },
        { column: "secret_versions.value", key: ["app/db/password", 2], ...v2 },
      );

      // Users: tom has TOTP enabled (sealed directly), vera starts enrollment through the API.
      for (const [username, role] of [
        ["tom", "admin"],
        ["vera", "viewer"],
      ] as const) {
        const r = await t.req("POST", "/v1/auth/users", {
          ...root,
          body: { username, password: `${username}-password-1`, role },
        });
        expect(r.status).toBe(201);
      }
      const login = await t.req<{ token: string }>("POST", "/v1/auth/login", {
        body: { username: "vera", password: "vera-password-1" },
      });
      viewerToken = login.body.token;
      const [tom] = await t.ctx.store.db.select().from(users).where(eq(users.username, "tom"));
      const [vera] = await t.ctx.store.db.select().from(users).where(eq(users.username, "vera"));
      if (!tom || !vera) throw new Error("users missing");
      const tomSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
      const tomPending = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
      await t.ctx.store.tx((tx) =>
        tx
          .update(users)
          .set({
            totpSecret: t.ctx.keys.seal("totp", `totp:${tom.id}`, tomSecret),
            totpPending: t.ctx.keys.seal("totp", `totp:${tom.id}`, tomPending),
          })
          .where(eq(users.id, tom.id)),
      );
      const setup = await t.req<{ secret: string }>("POST", "/v1/me/totp/setup", { token: viewerToken });
      expect(setup.status).toBe(200);
      seeded.push(
        { column: "users.totp_secret", key: [tom.id], context: `totp:${tom.id}`, plaintext: tomSecret },
        { column: "users.totp_pending", key: [tom.id], context: `totp:${tom.id}`, plaintext: tomPending },
        {
          column: "users.totp_pending",
          key: [vera.id],
          context: `totp:${vera.id}`,
          plaintext: setup.body.secret,
        },
        {
          column: "meta.audit_key",
          key: ["audit_key"],
          context: "meta:audit_key",
          plaintext: Buffer.from(t.ctx.keys.auditKey).toString("base64"),
        },
        {
          column: "meta.jwt_key",
          key: ["jwt_key"],
          context: "meta:jwt_key",
          plaintext: Buffer.from(t.ctx.keys.jwtKey).toString("base64"),
        },
      );
      // The SSO client secret, saved through the settings API (sealed in the `meta` table).
      const ssoSecret = "sso-client-secret-for-rotation";
      const sso = await t.req("POST", "/v1/settings/sso", {
        ...root,
        body: {
          enabled: true,
          issuer: "https://idp.example.test",
          client_id: "gatehouse",
          client_secret: ssoSecret,
        },
      });
      expect(sso.status).toBe(200);
      seeded.push({
        column: "meta.sso_client_secret",
        key: ["sso_client_secret"],
        context: "meta:sso_client_secret",
        plaintext: ssoSecret,
      });
      // An upstream MCP server whose env references a secret: its whole registration is sealed
      // (purpose mcp_upstream) and must still open, and resolve, after the rotation.
      const mcp = await t.req("POST", "/v1/mcp/servers", {
        ...root,
        body: {
          name: "rot-upstream",
          transport: "stdio",
          command: "true",
          env: { TOKEN: "{{secret:app/db/password}}", LITERAL: "literal-upstream-value" },
        },
      });
      expect(mcp.status, mcp.text).toBe(201);
      const { mcpServers } = t.ctx.store.t;
      const [mcpRow] = await t.ctx.store.db
        .select()
        .from(mcpServers)
        .where(eq(mcpServers.name, "rot-upstream"));
      const mcpContext = "mcp_upstream:rot-upstream";
      seeded.push({
        column: "mcp_servers.config",
        key: ["rot-upstream"],
        context: mcpContext,
        plaintext: t.ctx.keys.open("mcp_upstream", mcpContext, mcpRow?.config ?? ""),
      });
      expect(seeded.at(-1)?.plaintext).toContain("{{secret:app/db/password}}");
      // A dynamic config and two live dynamic leases (the rotation must keep revoke working).
      const dynPath = `db/rot-${engine}`;
      const saved = await t.req("POST", "/v1/dynamic", {
        ...root,
        body: { path: dynPath, provider_type: "postgresql", config: managed.config() },
      });
      expect(saved.status, saved.text).toBe(201);
      const { dynamicConfigs, dynamicLeases } = t.ctx.store.t;
      const [cfgRow] = await t.ctx.store.db
        .select()
        .from(dynamicConfigs)
        .where(eq(dynamicConfigs.path, dynPath));
      const cfgContext = `dynamic_config:${dynPath}`;
      seeded.push({
        column: "dynamic_configs.config",
        key: [dynPath],
        context: cfgContext,
        plaintext: t.ctx.keys.open("dynamic_config", cfgContext, cfgRow?.config ?? ""),
      });
      for (let i = 0; i < 2; i++) {
        const lease = await t.req<{ lease_id: string; credential: { username: string; password: string } }>(
          "POST",
          `/v1/dynamic/${dynPath}/checkout`,
          { ...root, body: { ttl: 3600 } },
        );
        expect(lease.status, lease.text).toBe(200);
        dynLeases.push({ id: lease.body.lease_id, ...lease.body.credential });
        const [row] = await t.ctx.store.db
          .select()
          .from(dynamicLeases)
          .where(eq(dynamicLeases.id, lease.body.lease_id));
        const context = `lease_credential:${lease.body.lease_id}`;
        seeded.push({
          column: "dynamic_leases.credential",
          key: [lease.body.lease_id],
          context,
          plaintext: t.ctx.keys.open("lease_credential", context, row?.credential ?? ""),
        });
      }
      // A second server that booted with the same (soon old) key.
      replica = await boot({ GATEHOUSE_MASTER_KEY: k1() });
    });

    afterAll(async () => {
      for (const ctx of opened) await ctx.store.close();
      await t.close();
    });

    test("every sealed value in the database is in a registered column, and each column has test data", async () => {
      const found = new Set<string>();
      for (const table of Object.values(t.ctx.store.t)) {
        if (!is(table, SQLiteTable) && !is(table, PgTable)) continue;
        const name = getTableName(table);
        const columns = Object.values(getTableColumns(table)).map((c) => c.name);
        const rows = (await t.ctx.store.db.select().from(table as SQLiteTable)) as Record<string, unknown>[];
        const fields = Object.keys(getTableColumns(table));
        for (const row of rows) {
          fields.forEach((field, i) => {
            const v = row[field];
            if (typeof v === "string" && SEALED.test(v)) {
              found.add(name === "meta" ? `meta.${String(row.key)}` : `${name}.${columns[i]}`);
            }
          });
        }
      }
      const registered = ENCRYPTED_COLUMNS.map((c) => c.name);
      expect([...found].filter((n) => !registered.includes(n))).toEqual([]);
      expect(registered.filter((n) => !found.has(n))).toEqual([]);
      expect(await openAll(t.ctx, t.ctx.keys.keyring)).toEqual([]);
    });

    test("GET /v1/admin/key-fingerprint: the key in use by fingerprint; admin-only", async () => {
      const r = await t.req("GET", "/v1/admin/key-fingerprint", root);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ fingerprint: fp(k1()), algorithm: "HKDF-SHA256", key_version: 1 });
      expect(r.text).not.toContain(k1());
      expect((await t.req<Err>("GET", "/v1/admin/key-fingerprint", { token: viewerToken })).status).toBe(403);
      expect((await t.req<Err>("GET", "/v1/admin/key-fingerprint")).status).toBe(401);
    });

    test("rotate-key refuses non-admins, malformed keys and the key already in use", async () => {
      const denied = await t.req<Err>("POST", "/v1/admin/rotate-key", {
        token: viewerToken,
        body: { new_master_key: k2 },
      });
      expect(denied.status).toBe(403);
      const cases: [unknown, string][] = [
        ["not-hex-at-all", "must contain only hex characters"],
        [k2.slice(0, 62), "must be 64 hex characters"],
        [`${k2}00`, "must be 64 hex characters"],
        [k1(), "already in use"],
        [k1().toUpperCase(), "already in use"],
      ];
      for (const [value, message] of cases) {
        const r = await t.req<Err>("POST", "/v1/admin/rotate-key", {
          ...root,
          body: { new_master_key: value },
        });
        expect(r.status).toBe(400);
        expect(r.body.field).toBe("new_master_key");
        expect(r.body.error).toContain(message);
        expect(r.text).not.toContain(k1());
        expect(r.text).not.toContain(k2);
      }
      const missing = await t.req<Err>("POST", "/v1/admin/rotate-key", { ...root, body: {} });
      expect(missing.status).toBe(400);
      expect(missing.body.field).toBe("new_master_key");
      expect(
        await t.ctx.store.db
          .select()
          .from(t.ctx.store.t.meta)
          .where(eq(t.ctx.store.t.meta.key, "keyring_version")),
      ).toMatchObject([{ value: "1" }]);
      const { auditLog } = t.ctx.store.t;
      const [entry] = await t.ctx.store.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, "admin.key_rotation"));
      expect(entry).toMatchObject({ identity: "user:vera", success: false, outcome: "denied" });
    });

    test("a crash halfway rolls everything back: the old key still opens every value", async () => {
      const k3 = newKey();
      const before = await sealedValues(t.ctx);
      const reached: string[] = [];
      await expect(
        rotateMasterKey(
          t.ctx,
          rootActor,
          { new_master_key: k3 },
          {
            afterEach: (column) => {
              reached.push(column);
              if (column === "users.totp_secret") throw new Error("injected crash");
            },
          },
        ),
      ).rejects.toThrow("injected crash");
      expect(reached).toEqual(["secrets.value", "secret_versions.value", "users.totp_secret"]);
      expect((await sealedValues(t.ctx)).map((v) => v.value)).toEqual(before.map((v) => v.value));
      expect(await openAll(t.ctx, ring(1, k1()))).toEqual([]);
      expect((await openAll(t.ctx, ring(2, k3))).length).toBe(before.length);
      expect(await getMeta(t.ctx.store, t.ctx.store.db, "keyring_version")).toBe("1");
      expect(await getMeta(t.ctx.store, t.ctx.store.db, "key_fingerprint")).toBe(fp(k1()));
      expect(t.ctx.keys.fingerprint).toBe(fp(k1()));
      expect(t.ctx.keys.keyring).toEqual(ring(1, k1()));
      const { auditLog } = t.ctx.store.t;
      const entries = await t.ctx.store.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, "admin.key_rotation"));
      expect(entries.at(-1)).toMatchObject({ identity: "root", success: false, outcome: "error" });
    });

    test("rotation re-wraps every registered column in one transaction; only the DEK wrapping changes", async () => {
      const before = await sealedValues(t.ctx);
      const r = await t.req<{
        rotated: boolean;
        key_version: number;
        fingerprint: string;
        rewrapped: Record<string, number>;
      }>("POST", "/v1/admin/rotate-key", { ...root, body: { new_master_key: k2 } });
      expect(r.status).toBe(200);
      expect(r.text).not.toContain(k1());
      expect(r.text).not.toContain(k2);
      const counts: Record<string, number> = {};
      for (const v of before) counts[v.col.name] = (counts[v.col.name] ?? 0) + 1;
      expect(r.body).toMatchObject({
        rotated: true,
        key_version: 2,
        fingerprint: fp(k2),
        rewrapped: counts,
        secrets_rewrapped: 3,
        dynamic_configs_rewrapped: 1,
        warning: expect.stringContaining("GATEHOUSE_MASTER_KEY_PREVIOUS"),
      });
      expect(counts).toMatchObject({
        "secret_versions.value": 2,
        "users.totp_pending": 2,
        "meta.jwt_key": 1,
        "meta.sso_client_secret": 1,
        "mcp_servers.config": 1,
      });

      const after = await sealedValues(t.ctx);
      expect(after.length).toBe(before.length);
      after.forEach((v, i) => {
        const old = before[i];
        if (!old) throw new Error("row count changed");
        expect(v.key).toEqual(old.key);
        expect(decodeSealed(v.value).keyVersion).toBe(2);
        expect(v.value.split(".")[3]).toBe(old.value.split(".")[3] ?? "");
        expect(v.value.split(".")[2]).not.toBe(old.value.split(".")[2] ?? "");
      });
      expect(await openAll(t.ctx, ring(2, k2))).toEqual([]);
      expect((await openAll(t.ctx, ring(1, k1()))).length).toBe(after.length);
      expect(await getMeta(t.ctx.store, t.ctx.store.db, "keyring_version")).toBe("2");
      expect(await getMeta(t.ctx.store, t.ctx.store.db, "key_fingerprint")).toBe(fp(k2));

      const fpNow = await t.req("GET", "/v1/admin/key-fingerprint", root);
      expect(fpNow.body).toEqual({ fingerprint: fp(k2), algorithm: "HKDF-SHA256", key_version: 2 });
      expect(t.ctx.keys.open("secret", "secret:app/db/password:3", after[0]?.value ?? "")).toBe(CANARY);
      const sso = await t.req<{ client_secret_set: boolean }>("GET", "/v1/settings/sso", root);
      expect(sso.body.client_secret_set).toBe(true);
      expect(sso.text).not.toContain("sso-client-secret-for-rotation");
      const upstream = await t.req<{ secret_refs: string[]; env: Record<string, string> }>(
        "GET",
        "/v1/mcp/servers/rot-upstream",
        root,
      );
      expect(upstream.body).toMatchObject({
        secret_refs: ["app/db/password"],
        env: { TOKEN: "***", LITERAL: "***" },
      });
      expect(upstream.text).not.toContain("literal-upstream-value");
    });

    test("existing tokens and the audit chain keep verifying; new writes seal under the new key", async () => {
      expect((await t.req("GET", "/v1/auth/whoami", { token: viewerToken })).status).toBe(200);
      const verify = await t.req<{ ok: boolean; checked: number }>("POST", "/v1/audit/verify", root);
      expect(verify.body.ok).toBe(true);
      expect(verify.body.checked).toBeGreaterThan(3);
      const setup = await t.req<{ secret: string }>("POST", "/v1/me/totp/setup", { token: viewerToken });
      expect(setup.status).toBe(200);
      const { users, auditLog } = t.ctx.store.t;
      const [vera] = await t.ctx.store.db.select().from(users).where(eq(users.username, "vera"));
      expect(decodeSealed(vera?.totpPending ?? "").keyVersion).toBe(2);
      const seed = seeded.find((s) => s.column === "users.totp_pending" && s.key[0] === vera?.id);
      if (seed) seed.plaintext = setup.body.secret;
      const rows = await t.ctx.store.db.select().from(auditLog);
      const text = JSON.stringify(rows);
      for (const k of [k1(), k2, k1().toUpperCase(), k2.toUpperCase()]) expect(text).not.toContain(k);
      const done = rows.filter((e) => e.action === "admin.key_rotation" && e.success);
      expect(done.length).toBe(1);
      expect(JSON.parse(done[0]?.metadata ?? "{}")).toMatchObject({
        key_version: 2,
        fingerprint: fp(k2),
        previous_fingerprint: fp(k1()),
      });
    });

    test("dynamic leases survive the rotation: revoke still drops the role, the other still logs in", async () => {
      const [gone, kept] = dynLeases;
      if (!gone || !kept) throw new Error("no dynamic leases");
      expect(await roleExists(gone.username)).toBe(true);
      const r = await t.req<{ revoked: boolean }>("DELETE", `/v1/dynamic/lease/${gone.id}`, root);
      expect(r.status, r.text).toBe(200);
      expect(await roleExists(gone.username)).toBe(false);
      const sql = managed.connectAs(kept.username, kept.password);
      try {
        expect((await sql<{ u: string }[]>`SELECT current_user AS u`)[0]?.u).toBe(kept.username);
      } finally {
        await sql.end();
      }
      const listed = await t.req<{ leases: { id: string; status: string }[] }>(
        "GET",
        `/v1/dynamic/db/rot-${engine}/leases`,
        root,
      );
      expect(listed.body.leases.map((l) => [l.id, l.status])).toEqual([[kept.id, "active"]]);
    });

    test("a server still holding the old key refuses to write, and cannot restart with it", async () => {
      const r = await replica.req<Err>("POST", "/v1/me/totp/setup", { token: viewerToken });
      expect(r.status).toBe(409);
      expect(r.body.code).toBe("key_mismatch");
      await expect(
        replica.ctx.store.tx((tx) => assertKeyringCurrent(replica.ctx, tx)),
      ).rejects.toBeInstanceOf(GatehouseError);
      const stale = await replica.req<Err>("POST", "/v1/admin/rotate-key", {
        token: ROOT,
        body: { new_master_key: newKey() },
      });
      expect(stale.status).toBe(409);
      expect(stale.body.code).toBe("key_mismatch");
      expect(await openAll(t.ctx, ring(2, k2))).toEqual([]);

      const error = await boot({ GATEHOUSE_MASTER_KEY: k1() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KeyMismatchError);
      const message = (error as Error).message;
      expect(message).toContain(fp(k1()));
      expect(message).toContain(fp(k2));
      expect(message).not.toContain(k1());
      const restarted = await boot({ GATEHOUSE_MASTER_KEY: k2 });
      expect(
        restarted.ctx.keys.open(
          "secret",
          "secret:app/db/password:3",
          (await sealedValues(t.ctx))[0]?.value ?? "",
        ),
      ).toBe(CANARY);
      expect((await restarted.req("GET", "/v1/auth/whoami", { token: viewerToken })).status).toBe(200);
    });

    test("GATEHOUSE_MASTER_KEY_PREVIOUS: boots during a roll-out, keeps sealing with the database's key, then finishes it", async () => {
      const wrong = await boot({
        GATEHOUSE_MASTER_KEY: newKey(),
        GATEHOUSE_MASTER_KEY_PREVIOUS: newKey(),
      }).catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(KeyMismatchError);

      const rolling = await boot({ GATEHOUSE_MASTER_KEY: k4, GATEHOUSE_MASTER_KEY_PREVIOUS: k2 });
      const warning = rolling.logs
        .map((l) => JSON.parse(l))
        .find((l) => l.msg === "master key rotation in progress");
      expect(warning).toMatchObject({
        level: "warn",
        database_key_fingerprint: fp(k2),
        new_key_fingerprint: fp(k4),
      });
      expect(rolling.logs.join("\n")).not.toContain(k4);
      expect(rolling.ctx.keys.fingerprint).toBe(fp(k2));
      expect(await openAll(rolling.ctx, rolling.ctx.keys.keyring)).toEqual([]);
      const sealed = rolling.ctx.keys.seal("secret", "probe", "x");
      expect(openString(ring(2, k2), "secret", "probe", sealed)).toBe("x");
      await rolling.ctx.store.tx((tx) => assertKeyringCurrent(rolling.ctx, tx, sealed));

      const done = await rolling.req<{ key_version: number; fingerprint: string }>(
        "POST",
        "/v1/admin/rotate-key",
        {
          token: ROOT,
          body: { new_master_key: k4 },
        },
      );
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ key_version: 3, fingerprint: fp(k4) });
      expect(await openAll(t.ctx, ring(3, k4))).toEqual([]);
      const after = await boot({ GATEHOUSE_MASTER_KEY: k4 });
      expect(after.ctx.keys.keyring.version).toBe(3);
      expect((await after.req("GET", "/v1/auth/whoami", { token: viewerToken })).status).toBe(200);
      expect((await verifyChain(after.ctx.store, after.ctx.keys.auditKey)).ok).toBe(true);
      // The test app still holds k2 (version 2) and is now the stale one.
      const refused = await t.req<Err>("POST", "/v1/me/totp/setup", { token: viewerToken });
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe("key_mismatch");
    });

    test("writes and a rotation serialize: a write in flight is re-wrapped, one sealed during it is refused", async () => {
      const live = await boot({ GATEHOUSE_MASTER_KEY: k4 });
      const { secrets } = live.ctx.store.t;
      const row = (path: string) => ({
        path,
        version: 1,
        value: live.ctx.keys.seal("secret", `secret:${path}:1`, `value of ${path}`),
        metadata: {},
        createdAt: 0,
        updatedAt: 0,
        createdBy: "root",
        updatedBy: "root",
        deletedAt: null,
      });
      const opensWith = async (path: string, keyring: Keyring) => {
        const [r] = await live.ctx.store.db.select().from(secrets).where(eq(secrets.path, path));
        return openString(keyring, "secret", `secret:${path}:1`, r?.value ?? "") === `value of ${path}`;
      };

      // A write that started first: the rotation waits for its commit, then re-wraps its row too.
      let release = () => {};
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const first = row("race/first");
      const writing = live.ctx.store.tx(async (tx) => {
        await assertKeyringCurrent(live.ctx, tx, first.value);
        await tx.insert(secrets).values(first);
        await gate;
      });
      const k5 = newKey();
      const rotating = rotateMasterKey(live.ctx, rootActor, { new_master_key: k5 });
      await Bun.sleep(50);
      release();
      await writing;
      expect((await rotating).key_version).toBe(4);
      expect(await opensWith("race/first", ring(4, k5))).toBe(true);

      // A value sealed while a rotation runs is refused once the rotation commits.
      let resume = () => {};
      const paused = new Promise<void>((r) => {
        resume = r;
      });
      let entered = () => {};
      const inside = new Promise<void>((r) => {
        entered = r;
      });
      const k6 = newKey();
      const rotating2 = rotateMasterKey(
        live.ctx,
        rootActor,
        { new_master_key: k6 },
        {
          afterEach: async (column) => {
            if (column !== "secrets.value") return;
            entered();
            await paused;
          },
        },
      );
      await inside;
      const second = row("race/second");
      const late = live.ctx.store.tx(async (tx) => {
        await assertKeyringCurrent(live.ctx, tx, second.value);
        await tx.insert(secrets).values(second);
      });
      const lateResult = late.then(
        () => "written",
        (e: unknown) => (e instanceof GatehouseError ? e.code : String(e)),
      );
      await Bun.sleep(50);
      resume();
      expect((await rotating2).key_version).toBe(5);
      expect(await lateResult).toBe("key_mismatch");
      expect(await live.ctx.store.db.select().from(secrets).where(eq(secrets.path, "race/second"))).toEqual(
        [],
      );
      expect(await opensWith("race/first", ring(5, k6))).toBe(true);
    });
  });
}
