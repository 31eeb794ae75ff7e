import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { urlHost } from "../src/modules/dynamic/providers/common";
import { redisProvider } from "../src/modules/dynamic/providers/redis";
import { backoffMs } from "../src/modules/dynamic/service";
import { agentToken, createPolicy } from "./harness/agents";
import { CANARY, createTestApp, ENGINES, type TestApp } from "./harness/app";
import {
  checkout,
  type Err,
  fails,
  leaseAudit,
  leaseRow,
  pathLeases,
  revoke,
  saveConfig,
} from "./harness/dynamic";
import { type RedisServer, startRedis } from "./harness/redis";

// The Redis provider against a real redis-server. The admin password is the suite-wide canary: it
// must never reach a log line or an audit entry, even in provider errors.

const ROOT = "root-token-for-dynamic-redis-tests-0123456789";
const started = performance.now();
let redis: RedisServer;

type RedisCredential = { username: string; password: string; host: string; port: number; db: number };

beforeAll(async () => {
  redis = await startRedis(CANARY);
  const admin = await redis.client();
  await admin.send("SET", ["app:1", "v1"]);
  await admin.send("SET", ["other:1", "hidden"]);
  admin.close();
});
afterAll(async () => {
  await redis.close();
  console.log(`dynamic Redis suite done after ${Math.round(performance.now() - started)} ms`);
});

const config = (extra: Record<string, unknown> = {}) => ({
  host: "127.0.0.1",
  port: redis.port,
  password: CANARY,
  ...extra,
});
const loginAs = (c: RedisCredential) => redis.client(c.username, c.password);
const aclUsers = async () => {
  const admin = await redis.client();
  try {
    return (await admin.send("ACL", ["USERS"])) as string[];
  } finally {
    admin.close();
  }
};

for (const engine of ENGINES) {
  describe(`dynamic Redis on ${engine}`, () => {
    let t: TestApp;
    let clock = Date.now();
    let agent: { identity: string; token: string };
    const path = `cache/redis-${engine}`;

    beforeAll(async () => {
      // A short command timeout so the frozen-server test fails fast (the default is 5 s).
      t = await createTestApp(
        engine,
        { GATEHOUSE_ROOT_TOKEN: ROOT },
        { now: () => clock, dynamicProviders: { redis: redisProvider({ timeoutMs: 500 }) } },
      );
      await createPolicy(t, ROOT, "redis-lease", [{ paths: ["cache/**"], capabilities: ["lease"] }]);
      agent = await agentToken(t, ["redis-lease"]);
      await saveConfig(t, ROOT, path, "redis", config({ commands: "+@read, +set", keys: ["~app:*"] }));
    });
    afterAll(() => t.close());

    test("config checks refuse administrative rules and malformed patterns", async () => {
      const bad = async (extra: Record<string, unknown>, field: string) => {
        const r = await t.req<Err>("POST", "/v1/dynamic", {
          token: ROOT,
          body: { path: "cache/redis-bad", provider_type: "redis", config: config(extra) },
        });
        expect(r.status, JSON.stringify(extra)).toBe(400);
        expect(r.body.field).toBe(field);
        expect(r.text).not.toContain(CANARY);
      };
      for (const commands of [
        ["+@all"],
        ["+@admin"],
        ["+@read", "+acl"],
        ["+config|get"],
        ["allcommands"],
        [">pw"],
        ["nopass"],
        ["+@read on"],
      ]) {
        await bad({ commands }, "config.commands");
      }
      await bad({ keys: ["*"] }, "config.keys");
      await bad({ keys: ["~a b"] }, "config.keys");
      await bad({ channels: ["events"] }, "config.channels");
      await bad({ db: -1 }, "config.db");
      const ok = await t.req<{ ok: boolean }>("POST", `/v1/dynamic/${path}/validate`, { token: ROOT });
      expect(ok.body).toEqual({ ok: true });
      await saveConfig(t, ROOT, "cache/redis-wrong", "redis", config({ password: "not-the-password" }));
      const wrong = await t.req<{ ok: boolean; error: string }>(
        "POST",
        "/v1/dynamic/cache/redis-wrong/validate",
        {
          token: ROOT,
        },
      );
      expect(wrong.body.ok).toBe(false);
      expect(wrong.text).not.toContain("not-the-password");
      expect(wrong.text).not.toContain(CANARY);
    });

    test("checkout: an ACL user limited to its commands and keys", async () => {
      const r = await checkout<RedisCredential>(t, agent.token, path, { ttl: 600 });
      expect(r.status, r.text).toBe(200);
      expect(r.text).not.toContain(CANARY);
      const c = r.body.credential;
      expect(c).toMatchObject({ host: "127.0.0.1", port: redis.port, db: 0 });
      const u = await loginAs(c);
      try {
        expect(await u.send("ACL", ["WHOAMI"]).catch((e: Error) => e.message)).toContain("NOPERM");
        expect(await u.send("GET", ["app:1"])).toBe("v1");
        expect(await u.send("SET", [`app:${engine}`, "x"])).toBe("OK");
        expect(await fails(() => u.send("GET", ["other:1"]))).toContain("NOPERM");
        expect(await fails(() => u.send("DEL", ["app:1"]))).toContain("NOPERM");
        expect(await fails(() => u.send("CONFIG", ["GET", "requirepass"]))).toContain("NOPERM");
        expect(await fails(() => u.send("ACL", ["SETUSER", "evil", "on", ">x", "+@all"]))).toContain(
          "NOPERM",
        );
      } finally {
        u.close();
      }
      expect(await fails(() => loginAs({ ...c, password: "wrong" }))).toBeTruthy();
    });

    test("revoke deletes the user and disconnects its clients", async () => {
      const r = await checkout<RedisCredential>(t, agent.token, path);
      const c = r.body.credential;
      const open = await loginAs(c);
      expect(await open.send("GET", ["app:1"])).toBe("v1");
      const done = await revoke(t, agent.token, r.body.lease_id);
      expect(done.status, done.text).toBe(200);
      expect(await fails(() => open.send("GET", ["app:1"]))).toBeTruthy();
      open.close();
      expect(await fails(() => loginAs(c))).toBeTruthy();
      expect(await aclUsers()).not.toContain(c.username);
      expect((await revoke(t, ROOT, r.body.lease_id)).status).toBe(409);
    });

    test("expiry: the reaper deletes the user (Redis ACL users have no expiry)", async () => {
      await t.ctx.dynamic.reapOnce();
      const r = await checkout<RedisCredential>(t, agent.token, path, { ttl: 10 });
      (await loginAs(r.body.credential)).close();
      clock += 10_000;
      expect(await t.ctx.dynamic.reapOnce()).toBe(1);
      expect(await fails(() => loginAs(r.body.credential))).toBeTruthy();
      expect(await aclUsers()).not.toContain(r.body.credential.username);
    });

    test("a frozen server during revoke: revoke_failed and visible, revoked after it thaws", async () => {
      const r = await checkout<RedisCredential>(t, agent.token, path);
      const c = r.body.credential;
      redis.pause();
      try {
        const failed = await revoke(t, agent.token, r.body.lease_id);
        expect(failed.status).toBe(502);
        expect(failed.body.error).toContain("timed out");
        const item = (await pathLeases(t, ROOT, path)).body.leases.find((l) => l.id === r.body.lease_id);
        expect(item).toMatchObject({ status: "revoke_failed", revoke_attempts: 1 });
        expect(item?.last_error).toContain("timed out");
      } finally {
        redis.resume();
      }
      (await loginAs(c)).close();
      clock += backoffMs(1);
      expect(await t.ctx.dynamic.reapOnce()).toBe(1);
      expect(await fails(() => loginAs(c))).toBeTruthy();
      expect(await leaseRow(t, r.body.lease_id)).toMatchObject({ status: "revoked", revokeAttempts: 2 });
      const audit = JSON.stringify(await leaseAudit(t, r.body.lease_id));
      expect(audit).not.toContain(CANARY);
      expect(audit).not.toContain(c.password);
      expect(t.logs.join("\n")).not.toContain(CANARY);
    });
  });
}

describe("connection URIs", () => {
  test("an IPv6 host is bracketed in every issued URI (names and IPv4 are not)", () => {
    expect(urlHost("::1")).toBe("[::1]");
    expect(urlHost("fd00::5")).toBe("[fd00::5]");
    expect(urlHost("10.0.0.1")).toBe("10.0.0.1");
    expect(urlHost("redis.internal")).toBe("redis.internal");
  });
});
