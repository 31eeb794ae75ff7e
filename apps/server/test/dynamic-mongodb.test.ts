import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mongodbProvider, mongoUrl } from "../src/modules/dynamic/providers/mongodb";
import { ProviderError } from "../src/modules/dynamic/providers/types";
import { backoffMs } from "../src/modules/dynamic/service";
import { agentToken, createPolicy } from "./harness/agents";
import { createTestApp, ENGINES, type TestApp } from "./harness/app";
import { checkout, type Err, leaseAudit, leaseRow, pathLeases, revoke, saveConfig } from "./harness/dynamic";
import { FakeMongoServer } from "./harness/mongo-fake";

// MongoDB: no server can run here, so the provider is tested against a fake of the official driver's
// interface (harness/mongo-fake.ts), checking the exact commands it sends.

const ROOT = "root-token-for-dynamic-mongo-tests-0123456789";
const started = performance.now();
afterAll(() =>
  console.log(`dynamic MongoDB (driver fake) suite done after ${Math.round(performance.now() - started)} ms`),
);

const base = {
  host: "127.0.0.1",
  port: 27017,
  database: "app",
  user: "admin",
  password: "admin p@ss/word",
};

describe("MongoDB provider: the commands it sends", () => {
  test("config: defaults, roles with databases, user-admin roles refused", async () => {
    const p = mongodbProvider({ connect: new FakeMongoServer().connect });
    expect(await p.validateConfig(base)).toMatchObject({ auth_source: "admin", roles: ["read"], ssl: false });
    for (const roles of [
      ["root"],
      ["read", "userAdmin"],
      ["dbOwner"],
      ["userAdminAnyDatabase@admin"],
      ["re ad"],
      [],
    ]) {
      await expect(p.validateConfig({ ...base, roles })).rejects.toMatchObject({
        code: "invalid_request",
        details: { field: "config.roles" },
      });
    }
    await expect(p.validateConfig({ ...base, database: "a.b" })).rejects.toMatchObject({
      details: { field: "config.database" },
    });
    await expect(p.validateConfig({ ...base, password: "" })).rejects.toMatchObject({
      details: { field: "config.password" },
    });
  });

  test("test connection: ping, then connectionStatus must show a user-admin role", async () => {
    const fake = new FakeMongoServer();
    const p = mongodbProvider({ connect: fake.connect });
    const c = await p.validateConfig(base);
    await p.test(c);
    expect(fake.sent).toEqual([
      { db: "admin", command: { ping: 1 } },
      { db: "admin", command: { connectionStatus: 1 } },
    ]);
    expect(fake.connects[0]?.url).toBe(
      "mongodb://admin:admin%20p%40ss%2Fword@127.0.0.1:27017/?authSource=admin",
    );
    expect(fake.connects[0]?.options).toMatchObject({ serverSelectionTimeoutMS: 5000, appName: "gatehouse" });
    expect(fake.closed).toBe(1);
    fake.adminRoles = [{ role: "readAnyDatabase", db: "admin" }];
    await expect(p.test(c)).rejects.toThrow("needs userAdmin, userAdminAnyDatabase or root");
  });

  test("create: createUser in the database with its roles; revoke: dropUser, idempotent; list: usersInfo", async () => {
    const fake = new FakeMongoServer();
    const p = mongodbProvider({ connect: fake.connect });
    const c = await p.validateConfig({ ...base, roles: "readWrite, read@reporting", ssl: "insecure" });
    const expiresAt = Date.UTC(2030, 0, 1, 0, 5);
    const credential = await p.create(c, {
      leaseId: "dlease-1",
      username: "gh_agent_0123456789ab",
      password: "Pw0123456789abcdefghijklmnopqrstu",
      identity: "approle:agent",
      ttlSeconds: 300,
      createdAt: expiresAt - 300_000,
      expiresAt,
    });
    expect(fake.commandsNamed("createUser")).toEqual([
      {
        db: "app",
        command: {
          createUser: "gh_agent_0123456789ab",
          pwd: "Pw0123456789abcdefghijklmnopqrstu",
          roles: [
            { role: "readWrite", db: "app" },
            { role: "read", db: "reporting" },
          ],
          mechanisms: ["SCRAM-SHA-256"],
          customData: { gatehouse_lease: "dlease-1", expires_at: "2030-01-01T00:05:00.000Z" },
        },
      },
    ]);
    expect(fake.connects[0]?.options).toMatchObject({ tls: true, tlsAllowInvalidCertificates: true });
    expect(credential).toEqual({
      username: "gh_agent_0123456789ab",
      password: "Pw0123456789abcdefghijklmnopqrstu",
      host: "127.0.0.1",
      port: 27017,
      database: "app",
      auth_source: "app",
      uri: "mongodb://gh_agent_0123456789ab:Pw0123456789abcdefghijklmnopqrstu@127.0.0.1:27017/app?authSource=app",
    });
    expect(await p.listActive(c)).toEqual(["gh_agent_0123456789ab"]);
    expect(fake.commandsNamed("usersInfo")).toEqual([{ db: "app", command: { usersInfo: 1 } }]);
    await p.revoke(c, "gh_agent_0123456789ab");
    expect(fake.commandsNamed("dropUser")).toEqual([
      { db: "app", command: { dropUser: "gh_agent_0123456789ab" } },
    ]);
    // A user already gone (code 11) is a successful revoke; any other error is not.
    await p.revoke(c, "gh_agent_0123456789ab");
    fake.failNext.set(
      "dropUser",
      Object.assign(new Error("not authorized on app to execute command"), { code: 13 }),
    );
    await expect(p.revoke(c, "gh_agent_0123456789ab")).rejects.toBeInstanceOf(ProviderError);
    // Revoke refuses names Gatehouse did not make.
    await expect(p.revoke(c, "admin")).rejects.toThrow("not a Gatehouse user");
    expect(fake.commandsNamed("dropUser").length).toBe(3);
    expect(mongoUrl({ ...c, host: "::1" })).toContain("@[::1]:27017/");
  });
});

for (const engine of ENGINES) {
  describe(`MongoDB through the API on ${engine} (driver fake)`, () => {
    let t: TestApp;
    let clock = Date.now();
    let agent: { identity: string; token: string };
    const fake = new FakeMongoServer();
    const path = `docs/mongo-${engine}`;

    beforeAll(async () => {
      t = await createTestApp(
        engine,
        { GATEHOUSE_ROOT_TOKEN: ROOT },
        { now: () => clock, dynamicProviders: { mongodb: mongodbProvider({ connect: fake.connect }) } },
      );
      await createPolicy(t, ROOT, "mongo-lease", [{ paths: ["docs/**"], capabilities: ["lease"] }]);
      agent = await agentToken(t, ["mongo-lease"]);
      await saveConfig(t, ROOT, path, "mongodb", { ...base, roles: ["readWrite"] });
    });
    afterAll(() => t.close());

    test("the TTL is checked before the provider is called", async () => {
      const before = fake.connects.length;
      for (const ttl of [9, 86_401, 0, -5]) {
        const r = await checkout(t, agent.token, path, { ttl });
        expect(r.status, String(ttl)).toBe(400);
        expect(r.body.code).toBe("ttl_out_of_range");
      }
      for (const ttl of [1.5, null, "NaN", "soon", true, {}]) {
        const r = await checkout(t, agent.token, path, { ttl });
        expect(r.status, String(ttl)).toBe(400);
        expect(r.body.code).toBe("invalid_request");
      }
      expect(fake.connects.length).toBe(before);
      expect(fake.commandsNamed("createUser")).toEqual([]);
      expect(await t.ctx.store.db.select().from(t.ctx.store.t.dynamicLeases)).toEqual([]);
    });

    test("checkout creates the user; revoke drops it", async () => {
      const r = await checkout<{ username: string; password: string }>(t, agent.token, path, { ttl: 120 });
      expect(r.status, r.text).toBe(200);
      expect(fake.users.get(`app.${r.body.credential.username}`)?.pwd).toBe(r.body.credential.password);
      expect((await revoke(t, agent.token, r.body.lease_id)).status).toBe(200);
      expect(fake.users.has(`app.${r.body.credential.username}`)).toBe(false);
    });

    test("a provider error is a 502 with a message scrubbed of the password, and nothing is left behind", async () => {
      let sentPassword = "";
      fake.failNext.set(
        "createUser",
        Object.assign(
          new Error("command createUser failed: password must not contain 'CANARYPW' (placeholder)"),
          { code: 2 },
        ),
      );
      // The driver echoes the command in the error: the scrubber must remove the generated password.
      const original = fake.run.bind(fake);
      fake.run = async (db, command) => {
        if (command.createUser) {
          sentPassword = String(command.pwd);
          const injected = fake.failNext.get("createUser");
          if (injected) injected.message = `BadValue: createUser ${JSON.stringify(command)} failed`;
        }
        return original(db, command);
      };
      try {
        const r = await checkout(t, agent.token, path);
        expect(r.status).toBe(502);
        expect(r.body.code).toBe("upstream_failed");
        expect(r.body.error).toContain("BadValue");
        expect(r.body.error).toContain("[redacted]");
        expect(sentPassword.length).toBe(32);
        expect(r.text).not.toContain(sentPassword);
        expect(r.text).not.toContain(base.password);
        const id = (r.body as unknown as { lease_id: string }).lease_id;
        const row = await leaseRow(t, id);
        expect(row).toMatchObject({ status: "failed", revokeReason: "creation_failed", credential: null });
        expect(row?.lastError).not.toContain(sentPassword);
        const audit = await leaseAudit(t, id);
        expect(audit.map((a) => [a.action, a.success])).toEqual([
          ["dynamic.checkout", false],
          ["dynamic.cleanup", true],
        ]);
        expect(JSON.stringify(audit)).not.toContain(sentPassword);
        expect(t.logs.join("\n")).not.toContain(sentPassword);
      } finally {
        fake.run = original;
      }
    });

    test("unreachable server during revoke: revoke_failed, then revoked by the reaper", async () => {
      const r = await checkout<{ username: string }>(t, agent.token, path);
      fake.down = true;
      const failed = await revoke(t, agent.token, r.body.lease_id);
      expect(failed.status).toBe(502);
      expect(
        (await pathLeases(t, ROOT, path)).body.leases.find((l) => l.id === r.body.lease_id),
      ).toMatchObject({
        status: "revoke_failed",
        last_error: expect.stringContaining("Server selection timed out"),
      });
      expect(fake.users.has(`app.${r.body.credential.username}`)).toBe(true);
      fake.down = false;
      clock += backoffMs(1);
      expect(await t.ctx.dynamic.reapOnce()).toBe(1);
      expect(fake.users.has(`app.${r.body.credential.username}`)).toBe(false);
      expect(await leaseRow(t, r.body.lease_id)).toMatchObject({ status: "revoked" });
      const err = await t.req<Err>("POST", `/v1/lease/${r.body.lease_id}/renew`, { token: agent.token });
      expect(err.status).toBe(409);
    });
  });
}
