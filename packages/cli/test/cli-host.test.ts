import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestApp, type Engine, pgBaseUrl, type TestApp } from "../../../apps/server/test/harness/app";
import { cloneDatabase } from "../../../apps/server/test/harness/postgres";
import { enrollTotp, PASSWORD, seedUser } from "../../../apps/server/test/harness/users";
import { type FixtureSecret, writeGatehouseFixture } from "./fixtures/gatehouse-0.10";
import { cleanupHomes, cli, type LiveServer, liveServer, tempHome } from "./harness";

// Host commands (backup, restore, import, audit verify --offline, admin reset-2fa): the real binary
// opening the vault's database directly, on both engines, while a server on the same database runs.

const ROOT = "root-token-for-cli-host-tests-0123456789abcdef";
type Body = Record<string, unknown>;

let home: string;
const tmp: string[] = [];
const apps: TestApp[] = [];
const tempDir = (p = "gh-host-") => {
  const d = mkdtempSync(join(tmpdir(), p));
  tmp.push(d);
  return d;
};

beforeAll(() => {
  home = tempHome();
});
afterAll(async () => {
  for (const a of apps) await a.close().catch(() => {});
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
  cleanupHomes();
});

/** What a host command needs to find a test app's vault: its database and master key. */
function hostEnv(t: TestApp, over: Record<string, string> = {}): Record<string, string> {
  const c = t.ctx.config;
  return {
    GATEHOUSE_ENV: "development",
    GATEHOUSE_MASTER_KEY: c.masterKeyHex,
    ...(c.databaseUrl ? { GATEHOUSE_DATABASE_URL: c.databaseUrl } : { GATEHOUSE_DATA_DIR: c.dataDir }),
    ...over,
  };
}

const host = (args: string[], env: Record<string, string>) => cli(args, { home, env });

async function app(engine: Engine, env: Record<string, string> = {}) {
  const t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT, ...env });
  apps.push(t);
  return t;
}

async function put(t: TestApp, path: string, value: string) {
  expect((await t.req("POST", `/v1/secrets/${path}`, { token: ROOT, body: { value } })).status).toBeLessThan(
    300,
  );
}
const value = async (t: TestApp, path: string) =>
  (await t.req<{ value: string }>("GET", `/v1/secrets/${path}/value`, { token: ROOT })).body.value;

describe("backup and restore", () => {
  test("SQLite: a live VACUUM INTO snapshot, restored into a new data directory", async () => {
    const t = await app("sqlite");
    await put(t, "app/db", "one");
    await put(t, "app/db", "two");
    const out = join(tempDir(), "vault.db");
    const b = await host(["backup", out, "--json"], hostEnv(t));
    expect(b.code, b.stderr).toBe(0);
    const info = JSON.parse(b.stdout) as Body;
    expect(info).toMatchObject({ format: "sqlite", key_fingerprint: t.ctx.keys.fingerprint });
    expect((info.tables as Body).secrets).toBe(1);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out).subarray(0, 15).toString()).toBe("SQLite format 3");
    expect((await host(["backup", out], hostEnv(t))).code).toBe(1); // never overwrites
    await put(t, "app/after-backup", "later");

    const dir = tempDir();
    const r = await host(["restore", out], { ...hostEnv(t), GATEHOUSE_DATA_DIR: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(t.ctx.keys.fingerprint);
    const again = await host(["restore", out], { ...hostEnv(t), GATEHOUSE_DATA_DIR: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("--replace");
    expect((await host(["restore", out, "--replace"], { ...hostEnv(t), GATEHOUSE_DATA_DIR: dir })).code).toBe(
      0,
    );

    const restored = await app("sqlite", {
      GATEHOUSE_DATA_DIR: dir,
      GATEHOUSE_MASTER_KEY: t.ctx.config.masterKeyHex,
    });
    expect(await value(restored, "app/db")).toBe("two");
    expect(
      (await restored.req<Body>("GET", "/v1/secrets/app/db/versions/1", { token: ROOT })).body.value,
    ).toBe("one");
    expect((await restored.req("GET", "/v1/secrets/app/after-backup/value", { token: ROOT })).status).toBe(
      404,
    );
    const v = await host(["audit", "verify", "--offline"], { ...hostEnv(t), GATEHOUSE_DATA_DIR: dir });
    expect(v.code, v.stdout + v.stderr).toBe(0);
    // Another key cannot use it.
    const wrong = await host(["audit", "verify", "--offline"], {
      ...hostEnv(t),
      GATEHOUSE_DATA_DIR: dir,
      GATEHOUSE_MASTER_KEY: randomBytes(32).toString("hex"),
    });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain("fingerprint");
  });

  test("PostgreSQL: a REPEATABLE READ JSON snapshot, restored into PostgreSQL and into SQLite", async () => {
    const t = await app("pg");
    await put(t, "pg/secret", "from-postgres");
    const out = join(tempDir(), "vault.json");
    const b = await host(["backup", out], hostEnv(t));
    expect(b.code, b.stderr).toBe(0);
    const dump = JSON.parse(readFileSync(out, "utf8")) as {
      format: string;
      source_dialect: string;
      tables: Body;
    };
    expect(dump).toMatchObject({ format: "gatehouse-backup", source_dialect: "pg" });
    expect(JSON.stringify(dump)).not.toContain("from-postgres");
    expect((await host(["backup", out, "--format", "sqlite"], hostEnv(t))).code).toBe(2);

    const fresh = await cloneDatabase(await pgBaseUrl());
    const r = await host(["restore", out], { ...hostEnv(t), GATEHOUSE_DATABASE_URL: fresh });
    expect(r.code, r.stderr).toBe(0);
    const onPg = await app("pg", {
      GATEHOUSE_DATABASE_URL: fresh,
      GATEHOUSE_MASTER_KEY: t.ctx.config.masterKeyHex,
    });
    expect(await value(onPg, "pg/secret")).toBe("from-postgres");
    // Restoring over data needs --replace.
    expect((await host(["restore", out], { ...hostEnv(t), GATEHOUSE_DATABASE_URL: fresh })).code).toBe(1);

    const dir = tempDir();
    const env = { GATEHOUSE_ENV: "development", GATEHOUSE_DATA_DIR: dir };
    const toSqlite = await host(["restore", out], env);
    expect(toSqlite.code, toSqlite.stderr).toBe(0);
    const onSqlite = await app("sqlite", {
      GATEHOUSE_DATA_DIR: dir,
      GATEHOUSE_MASTER_KEY: t.ctx.config.masterKeyHex,
    });
    expect(await value(onSqlite, "pg/secret")).toBe("from-postgres");
    expect(
      (
        await host(["audit", "verify", "--offline"], {
          ...env,
          GATEHOUSE_MASTER_KEY: t.ctx.config.masterKeyHex,
        })
      ).code,
    ).toBe(0);
  });

  test("import sqlite: a running SQLite vault moved into PostgreSQL", async () => {
    const t = await app("sqlite");
    await put(t, "move/me", "to-postgres");
    const u = await seedUser(t, { role: "admin" });
    const target = await cloneDatabase(await pgBaseUrl());
    const r = await host(["import", "sqlite", t.ctx.config.dataDir, "--database-url", target, "--json"], {
      GATEHOUSE_ENV: "development",
    });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Body).key_fingerprint).toBe(t.ctx.keys.fingerprint);
    const moved = await app("pg", {
      GATEHOUSE_DATABASE_URL: target,
      GATEHOUSE_MASTER_KEY: t.ctx.config.masterKeyHex,
    });
    expect(await value(moved, "move/me")).toBe("to-postgres");
    const login = await moved.req("POST", "/v1/auth/login", {
      body: { username: u.username, password: PASSWORD },
    });
    expect(login.status).toBe(200);
    const twice = await host(["import", "sqlite", t.ctx.config.dataDir, "--database-url", target], {
      GATEHOUSE_ENV: "development",
    });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("already holds data");
    expect(
      (await host(["import", "sqlite", t.ctx.config.dataDir], { GATEHOUSE_ENV: "development" })).code,
    ).toBe(2);
  });
});

describe("audit verify", () => {
  let s: LiveServer;
  beforeAll(async () => {
    s = await liveServer("sqlite", { GATEHOUSE_ROOT_TOKEN: ROOT });
    apps.push(s.t);
  });
  afterAll(() => s.close());

  test("online through the server, offline on the host; a tampered entry is named", async () => {
    await put(s.t, "audit/one", "x");
    await put(s.t, "audit/two", "y");
    const online = await cli(["audit", "verify"], {
      home,
      env: { GATEHOUSE_URL: s.url, GATEHOUSE_TOKEN: ROOT },
    });
    expect(online.code, online.stderr).toBe(0);
    expect(online.stdout).toMatch(/^ok: \d+ entries verified/);
    const offline = await host(["audit", "verify", "--offline", "--json"], hostEnv(s.t));
    expect(offline.code).toBe(0);
    expect((JSON.parse(offline.stdout) as Body).ok).toBe(true);
    await s.t.ctx.store.exec("UPDATE audit_log SET action = 'secret.forged' WHERE seq = 2");
    const broken = await host(["audit", "verify", "--offline"], hostEnv(s.t));
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain("BROKEN at entry 2: entry was modified");
    const viaServer = await cli(["audit", "verify"], {
      home,
      env: { GATEHOUSE_URL: s.url, GATEHOUSE_TOKEN: ROOT },
    });
    expect(viaServer.code).toBe(1);
    expect(
      (
        await host(["audit", "verify", "--offline"], {
          GATEHOUSE_ENV: "development",
          GATEHOUSE_DATA_DIR: tempDir(),
        })
      ).code,
    ).toBe(2);
  });
});

describe("admin reset-2fa", () => {
  test("on the host, while the server runs: TOTP off, sessions ended, audited in the same chain", async () => {
    const t = await app("sqlite");
    const u = await seedUser(t, { role: "admin" });
    const { token } = await t.ctx.jwt.sign({ typ: "user", uid: u.id, ver: u.tokenVersion }, 3600);
    await enrollTotp(t, { token });
    const before = await t.req<Body>("POST", "/v1/auth/login", {
      body: { username: u.username, password: PASSWORD },
    });
    expect(before.body.totp_required).toBe(true);
    // The server has cached its audit chain head; the host appends behind its back.
    await put(t, "chain/before", "x");

    const r = await host(["admin", "reset-2fa", u.username, "--json"], hostEnv(t));
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Body;
    expect(out).toMatchObject({ reset: true, username: u.username, had_totp: true });
    expect(String(out.by)).toMatch(/^host:/);

    const after = await t.req<Body>("POST", "/v1/auth/login", {
      body: { username: u.username, password: PASSWORD },
    });
    expect(after.status).toBe(200);
    expect(typeof after.body.token).toBe("string");
    expect((await t.req("GET", "/v1/auth/whoami", { token })).status).toBe(401); // old tokens ended
    const rows = await t.ctx.store.db.select().from(t.ctx.store.t.auditLog);
    const entry = rows.find((x) => x.action === "user.totp.reset");
    expect(entry?.identity).toMatch(/^host:/);
    expect(entry?.path).toBe(`user:${u.username}`);
    // The server keeps appending to the same chain after the host's entry; it all verifies.
    await put(t, "chain/after", "y");
    expect((await host(["audit", "verify", "--offline"], hostEnv(t))).code).toBe(0);

    expect((await host(["admin", "reset-2fa", "nobody-here"], hostEnv(t))).code).toBe(1);
    const wrongKey = await host(["admin", "reset-2fa", u.username], {
      ...hostEnv(t),
      GATEHOUSE_MASTER_KEY: randomBytes(32).toString("hex"),
    });
    expect(wrongKey.code).toBe(3);
    const noKey = await host(["admin", "reset-2fa", u.username], {
      GATEHOUSE_ENV: "production",
      GATEHOUSE_DATA_DIR: t.ctx.config.dataDir,
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("GATEHOUSE_MASTER_KEY");
  });
});

describe("import gatehouse (a Gatehouse 0.10.3 data directory)", () => {
  const secrets: FixtureSecret[] = [
    {
      path: "github/token",
      values: ["ghp_old_value_1", "ghp_current_value_2"],
      metadata: { allowed_domains: "api.github.com" },
    },
    { path: "ci/deploy-prod", values: ["deploy-key-v1"], metadata: { "Header-Name": "X-Deploy" } },
    { path: "shared/slack", values: ["xoxb-one", "xoxb-two", "xoxb-three"] },
    { path: "bad//path", values: ["never-imported"] },
  ];

  for (const [engine, layout] of [
    ["sqlite", "combined"],
    ["pg", "split"],
  ] as const) {
    test(`${layout} nonces into ${engine}: secrets and versions re-sealed, policies translated, AppRoles keep their credentials`, async () => {
      const fx = await writeGatehouseFixture(tempDir("gh-legacy-"), { layout, secrets, cheapHashes: true });
      const keyFile = join(tempDir(), "old.key");
      writeFileSync(keyFile, fx.masterKey, { mode: 0o600 });
      const t = await app(engine);
      const env = hostEnv(t);

      const wrong = join(tempDir(), "wrong.key");
      writeFileSync(wrong, randomBytes(32).toString("hex"));
      const refused = await host(["import", "gatehouse", fx.dir, "--source-key-file", wrong], env);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain("does not open");

      const dry = await host(
        ["import", "gatehouse", fx.dir, "--source-key-file", keyFile, "--dry-run", "--json"],
        env,
      );
      expect(dry.code, dry.stderr).toBe(0);
      expect((JSON.parse(dry.stdout) as { secrets: { imported: string[] } }).secrets.imported.length).toBe(3);
      expect((await t.req("GET", "/v1/secrets/github/token", { token: ROOT })).status).toBe(404);

      const r = await host(["import", "gatehouse", fx.dir, "--json"], {
        ...env,
        GATEHOUSE_SOURCE_MASTER_KEY: fx.masterKey,
      });
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as {
        secrets: { imported: string[]; versions: number; skipped: { path: string }[] };
        policies: {
          imported: string[];
          skipped: { name: string }[];
          translated: { glob: string; now: string[]; exact: boolean }[];
        };
        approles: { imported: string[] };
        not_imported: Record<string, number>;
        metadata_keys_renamed: { path: string; from: string; to: string }[];
      };
      expect(report.secrets.imported.sort()).toEqual(["ci/deploy-prod", "github/token", "shared/slack"]);
      expect(report.secrets.versions).toBe(6);
      expect(report.secrets.skipped.map((x) => x.path)).toEqual(["bad//path"]);
      expect(report.policies.imported.sort()).toEqual(["agent-readonly", "coding-agent", "odd-globs"]);
      expect(report.policies.skipped.map((x) => x.name)).toEqual(["admin"]);
      expect(report.approles.imported.sort()).toEqual(fx.roles.map((x) => x.role_id).sort());
      expect(report.not_imported).toMatchObject({ users: 1, dynamic_secrets: 1, audit_log: 1 });
      expect(report.metadata_keys_renamed).toEqual([
        { path: "ci/deploy-prod", from: "Header-Name", to: "header_name" },
      ]);
      const dropped = report.policies.translated.find((x) => x.glob === "team/a?c");
      expect(dropped?.exact).toBe(false);
      expect(dropped?.now).toEqual([]);

      // Values and history, sealed under this vault's key.
      expect(await value(t, "github/token")).toBe("ghp_current_value_2");
      expect(
        (await t.req<Body>("GET", "/v1/secrets/github/token/versions/1", { token: ROOT })).body.value,
      ).toBe("ghp_old_value_1");
      expect(
        (await t.req<Body>("GET", "/v1/secrets/shared/slack/versions/2", { token: ROOT })).body.value,
      ).toBe("xoxb-two");
      expect((await t.req<Body>("GET", "/v1/secrets/github/token", { token: ROOT })).body.metadata).toEqual({
        allowed_domains: "api.github.com",
      });
      const sealed = JSON.stringify(await t.ctx.store.db.select().from(t.ctx.store.t.secrets));
      expect(sealed).not.toContain("ghp_current_value_2");

      // Policies: `*` kept its Gatehouse meaning; what cannot be rewritten exactly was dropped.
      await t.ctx.policyService.reload();
      const coding = (
        await t.req<{ rules: { paths: string[] }[] }>("GET", "/v1/policy/coding-agent", { token: ROOT })
      ).body;
      expect(coding.rules[0]?.paths.sort()).toEqual(["ci/deploy-*", "ci/deploy-*/**", "github/**"].sort());
      expect(coding.rules[1]?.paths).toEqual(["scratch/*/**/notes"]);
      const odd = (
        await t.req<{ rules: { paths: string[] }[] }>("GET", "/v1/policy/odd-globs", { token: ROOT })
      ).body;
      expect(odd.rules[0]?.paths).toEqual(["exact/path"]);

      // The AppRole's old secret_id still logs in, with the translated policy behind it.
      const ci = fx.roles[0] as { role_id: string; secret_id: string };
      const login = await t.req<{ token: string }>("POST", "/v1/auth/approle/login", { body: ci });
      expect(login.status).toBe(200);
      const read = await t.req<{ value: string }>("GET", "/v1/secrets/github/token/value", {
        token: login.body.token,
      });
      expect(read.body.value).toBe("ghp_current_value_2");
      expect((await t.req("GET", "/v1/secrets/shared/slack/value", { token: login.body.token })).status).toBe(
        403,
      );
      const suspended = fx.roles[1] as { role_id: string; secret_id: string };
      expect((await t.req("POST", "/v1/auth/approle/login", { body: suspended })).status).toBe(403);

      // Audited; importing again overwrites nothing.
      const rows = await t.ctx.store.db.select().from(t.ctx.store.t.auditLog);
      expect(rows.some((x) => x.action === "import.gatehouse" && x.identity.startsWith("host:"))).toBe(true);
      const again = await host(["import", "gatehouse", fx.dir, "--source-key-file", keyFile, "--json"], env);
      const second = JSON.parse(again.stdout) as typeof report;
      expect(second.secrets.imported).toEqual([]);
      expect(second.approles.imported).toEqual([]);
      expect((await host(["audit", "verify", "--offline"], env)).code).toBe(0);
    }, 60_000);
  }

  test("--prefix, and a directory that is not a Gatehouse vault", async () => {
    const fx = await writeGatehouseFixture(tempDir("gh-legacy-"), {
      secrets: secrets.slice(0, 1),
      cheapHashes: true,
    });
    const t = await app("sqlite");
    const r = await host(["import", "gatehouse", join(fx.dir, "gatehouse.db"), "--prefix", "legacy"], {
      ...hostEnv(t),
      GATEHOUSE_SOURCE_MASTER_KEY: fx.masterKey,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(await value(t, "legacy/github/token")).toBe("ghp_current_value_2");
    expect(r.stderr).toContain("not imported: 1 row(s) of users");
    const empty = tempDir();
    expect(existsSync(join(empty, "gatehouse.db"))).toBe(false);
    const none = await host(["import", "gatehouse", empty], {
      ...hostEnv(t),
      GATEHOUSE_SOURCE_MASTER_KEY: fx.masterKey,
    });
    expect(none.code).toBe(1);
    expect((await host(["import", "gatehouse", fx.dir], hostEnv(t))).code).toBe(2);
  });
});
