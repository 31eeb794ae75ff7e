import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { mongodbProvider } from "../src/modules/dynamic/providers/mongodb";
import { STUCK_AFTER_MS } from "../src/modules/dynamic/service";
import { agentToken, createPolicy, userToken } from "./harness/agents";
import { createTestApp, ENGINES, type TestApp } from "./harness/app";
import { checkout, type Err, leaseAudit, leaseRow, pathLeases, revoke, saveConfig } from "./harness/dynamic";
import { FakeMongoServer } from "./harness/mongo-fake";

// The /v1/dynamic routes themselves: permissions, masking, the path namespace, the lease list, the
// approval flow and the reaper's claims. The provider is MongoDB over the driver fake, so every
// create and drop is observable without a server.

const ROOT = "root-token-for-dynamic-api-tests-0123456789ab";
const ADMIN_PASSWORD = "mongo-admin-password-4f1c";
const started = performance.now();
afterAll(() => console.log(`dynamic API suite done after ${Math.round(performance.now() - started)} ms`));

const mongo = (extra: Record<string, unknown> = {}) => ({
  host: "127.0.0.1",
  database: "app",
  user: "admin",
  password: ADMIN_PASSWORD,
  ...extra,
});

type Listed = {
  id: string;
  kind: string;
  identity: string;
  status: string;
  provider_type?: string;
  revoked: boolean;
};

for (const engine of ENGINES) {
  describe(`dynamic API on ${engine}`, () => {
    let t: TestApp;
    let clock = Date.UTC(2030, 0, 1);
    const fake = new FakeMongoServer();
    let agent: { identity: string; token: string };
    let other: { identity: string; token: string };
    let pathAdmin: string;
    let viewer: string;
    let capped: string;
    const user = (name: string) => fake.users.has(`app.${name}`);

    beforeAll(async () => {
      t = await createTestApp(
        engine,
        { GATEHOUSE_ROOT_TOKEN: ROOT },
        { now: () => clock, dynamicProviders: { mongodb: mongodbProvider({ connect: fake.connect }) } },
      );
      await createPolicy(t, ROOT, "d-lease", [{ paths: ["team/**"], capabilities: ["lease"] }]);
      await createPolicy(t, ROOT, "d-admin", [{ paths: ["team/**"], capabilities: ["admin"] }]);
      await createPolicy(t, ROOT, "d-capped", [
        { paths: ["team/**"], capabilities: ["lease"], approval: { required: false, max_ttl: 120 } },
      ]);
      await createPolicy(t, ROOT, "d-gated", [
        { paths: ["gated/**"], capabilities: ["lease"], approval: { required: true, max_ttl: 600 } },
      ]);
      agent = await agentToken(t, ["d-lease", "d-gated"]);
      other = await agentToken(t, ["d-lease"]);
      pathAdmin = (await agentToken(t, ["d-admin"])).token;
      capped = (await agentToken(t, ["d-capped"])).token;
      viewer = (await userToken(t, "viewer", ["d-lease"])).token;
    });
    afterAll(() => t.close());

    test("GET /v1/dynamic/providers: every type with its fields, for any signed-in caller", async () => {
      const r = await t.req<{
        providers: string[];
        details: { type: string; fields: { name: string; sensitive: boolean }[] }[];
      }>("GET", "/v1/dynamic/providers", { token: other.token });
      expect(r.status).toBe(200);
      expect(r.body.providers).toEqual(["postgresql", "mysql", "mongodb", "redis", "ssh-cert"]);
      const pgFields = r.body.details.find((d) => d.type === "postgresql")?.fields ?? [];
      expect(pgFields.find((f) => f.name === "password")?.sensitive).toBe(true);
      expect((await t.req<Err>("GET", "/v1/dynamic/providers")).status).toBe(401);
    });

    test("POST /v1/dynamic: admin on the path; validated; blank or *** sensitive fields keep the stored value", async () => {
      const created = await t.req<{ config: Record<string, unknown>; metadata: Record<string, unknown> }>(
        "POST",
        "/v1/dynamic",
        { token: pathAdmin, body: { path: "team/mongo", provider_type: "mongodb", config: mongo() } },
      );
      expect(created.status, created.text).toBe(201);
      expect(created.body.config).toMatchObject({
        password: "***",
        host: "127.0.0.1",
        port: 27017,
        roles: ["read"],
      });
      expect(created.body.metadata).toEqual({
        host: "127.0.0.1",
        port: 27017,
        database: "app",
        auth_source: "admin",
        roles: ["read"],
        ssl: false,
      });
      expect(created.text).not.toContain(ADMIN_PASSWORD);
      for (const password of ["", "***", undefined]) {
        const updated = await t.req("POST", "/v1/dynamic", {
          token: ROOT,
          body: {
            path: "team/mongo",
            provider_type: "mongodb",
            config: mongo({ password, roles: ["readWrite"] }),
          },
        });
        expect(updated.status, updated.text).toBe(200);
      }
      const v = await t.req<{ ok: boolean }>("POST", "/v1/dynamic/team/mongo/validate", { token: pathAdmin });
      expect(v.body).toEqual({ ok: true });
      expect(fake.connects.at(-1)?.url).toContain(`:${ADMIN_PASSWORD.replace(/-/g, "-")}@`);
      const bad = async (body: Record<string, unknown>, status: number, code: string, token = ROOT) => {
        const r = await t.req<Err>("POST", "/v1/dynamic", { token, body });
        expect(r.status, JSON.stringify(body)).toBe(status);
        expect(r.body.code).toBe(code);
      };
      await bad({ path: "team/x", provider_type: "oracle", config: {} }, 400, "invalid_request");
      await bad(
        { path: "team/x", provider_type: "mongodb", config: mongo({ password: "***" }) },
        400,
        "invalid_request",
      );
      await bad(
        { path: "team/y", provider_type: "mongodb", config: mongo({ password: undefined }) },
        400,
        "invalid_request",
      );
      for (const path of ["providers", "generate-ca-keypair", "lease/x", "team/checkout", "team/leases"]) {
        await bad({ path, provider_type: "mongodb", config: mongo() }, 400, "path_reserved");
      }
      await bad({ path: "../etc", provider_type: "mongodb", config: mongo() }, 400, "path_invalid");
      await bad({ path: "team/z", provider_type: "mongodb", config: mongo() }, 403, "forbidden", agent.token);
      await bad({ path: "other/z", provider_type: "mongodb", config: mongo() }, 403, "forbidden", pathAdmin);
      const saves = (await t.ctx.store.db.select().from(t.ctx.store.t.auditLog)).filter(
        (a) => a.action === "dynamic.config.save",
      );
      expect(saves.filter((a) => a.success).length).toBe(4);
      expect(JSON.stringify(saves)).not.toContain(ADMIN_PASSWORD);
    });

    test("GET /v1/dynamic (global admin) and GET /v1/dynamic/:path (admin on it, secrets as ***)", async () => {
      const list = await t.req<{
        configs: { path: string; active_leases: number; metadata: Record<string, unknown> }[];
      }>("GET", "/v1/dynamic", { token: ROOT });
      expect(list.status).toBe(200);
      expect(list.body.configs.find((c) => c.path === "team/mongo")).toMatchObject({
        active_leases: 0,
        metadata: { roles: ["readWrite"] },
      });
      expect(list.text).not.toContain(ADMIN_PASSWORD);
      expect((await t.req<Err>("GET", "/v1/dynamic", { token: pathAdmin })).status).toBe(403);
      const one = await t.req<{ config: Record<string, unknown>; revocation: string }>(
        "GET",
        "/v1/dynamic/team/mongo",
        {
          token: pathAdmin,
        },
      );
      expect(one.body.config.password).toBe("***");
      expect(one.body.revocation).toBe("immediate");
      expect((await t.req<Err>("GET", "/v1/dynamic/team/mongo", { token: agent.token })).status).toBe(403);
      expect((await t.req<Err>("GET", "/v1/dynamic/team/nothing", { token: ROOT })).status).toBe(404);
      expect((await t.req<Err>("POST", "/v1/dynamic/team/nothing/validate", { token: ROOT })).status).toBe(
        404,
      );
      expect(
        (await t.req<Err>("POST", "/v1/dynamic/team/mongo/validate", { token: agent.token })).status,
      ).toBe(403);
      expect((await t.req<Err>("POST", "/v1/dynamic/team/mongo/other", { token: ROOT })).status).toBe(404);
    });

    test("checkout refusals: no lease capability, viewer, missing config, max_ttl; approval → 202", async () => {
      const outsider = (await agentToken(t, [])).token;
      expect((await checkout(t, outsider, "team/mongo")).status).toBe(403);
      expect((await checkout(t, viewer, "team/mongo")).status).toBe(403);
      expect((await checkout(t, agent.token, "team/nothing")).status).toBe(404);
      expect((await checkout(t, agent.token, "team/mongo/checkout")).body.code).toBe("path_reserved");
      expect((await checkout(t, capped, "team/mongo", { ttl: 200 })).body.code).toBe("ttl_out_of_range");
      const clamped = await checkout(t, capped, "team/mongo");
      expect(clamped.body.ttl_seconds).toBe(120);
      expect((await t.req("POST", "/v1/dynamic/team/mongo/checkout")).status).toBe(401);
      const denied = (await t.ctx.store.db.select().from(t.ctx.store.t.auditLog)).filter(
        (a) => a.action === "dynamic.checkout" && a.outcome === "denied",
      );
      expect(denied.length).toBeGreaterThanOrEqual(2);
      // Approval: 202, and a denied request creates nothing.
      await saveConfig(t, ROOT, "gated/mongo", "mongodb", mongo());
      const before = fake.commandsNamed("createUser").length;
      const pending = await t.req<{ request_id: string; status: string }>(
        "POST",
        "/v1/dynamic/gated/mongo/checkout",
        {
          token: agent.token,
          body: { reason: "reporting" },
        },
      );
      expect(pending.status).toBe(202);
      expect(pending.body.status).toBe("pending");
      const deny = await t.req("POST", `/v1/requests/${pending.body.request_id}/deny`, {
        token: ROOT,
        body: { reason: "not today" },
      });
      expect(deny.status).toBe(200);
      expect(fake.commandsNamed("createUser").length).toBe(before);
      expect(
        (
          await t.req<Record<string, unknown>>("GET", `/v1/requests/${pending.body.request_id}`, {
            token: agent.token,
          })
        ).body.credential,
      ).toBeUndefined();
    });

    test("lease list and revoke: owners see and revoke theirs, admins all; DELETE /v1/lease takes dlease ids", async () => {
      const mine = await checkout<{ username: string }>(t, agent.token, "team/mongo", { ttl: 60 });
      const theirs = await checkout<{ username: string }>(t, other.token, "team/mongo", { ttl: 60 });
      expect(mine.status).toBe(200);
      const own = await t.req<{ leases: Listed[] }>("GET", "/v1/lease", { token: agent.token });
      expect(own.body.leases.some((l) => l.id === mine.body.lease_id && l.kind === "dynamic")).toBe(true);
      expect(own.body.leases.some((l) => l.id === theirs.body.lease_id)).toBe(false);
      const all = await t.req<{ leases: Listed[] }>("GET", "/v1/lease", { token: ROOT });
      expect(all.body.leases.some((l) => l.id === theirs.body.lease_id)).toBe(true);
      const listed = await pathLeases(t, pathAdmin, "team/mongo");
      expect(listed.status).toBe(200);
      expect(listed.body.leases.find((l) => l.id === mine.body.lease_id)?.credential_username).toBe(
        mine.body.credential.username,
      );
      expect(listed.text).not.toContain(
        String((mine.body.credential as unknown as { password: string }).password),
      );
      expect((await pathLeases(t, agent.token, "team/mongo")).status).toBe(403);
      expect((await pathLeases(t, ROOT, "team/none")).status).toBe(404);

      expect((await revoke(t, other.token, mine.body.lease_id)).status).toBe(404);
      expect((await revoke(t, ROOT, "dlease-00000000-0000-0000-0000-000000000000")).status).toBe(404);
      expect((await revoke(t, agent.token, mine.body.lease_id)).status).toBe(200);
      expect(user(mine.body.credential.username)).toBe(false);
      expect((await revoke(t, agent.token, mine.body.lease_id)).status).toBe(409);
      // An admin of the path may revoke anyone's lease there, here through the shared lease route.
      const viaLease = await t.req("DELETE", `/v1/lease/${theirs.body.lease_id}`, { token: pathAdmin });
      expect(viaLease.status, viaLease.text).toBe(200);
      expect(user(theirs.body.credential.username)).toBe(false);
      const history = await t.req<{ leases: Listed[] }>("GET", "/v1/lease?include_expired=true", {
        token: agent.token,
      });
      expect(history.body.leases.find((l) => l.id === mine.body.lease_id)).toMatchObject({
        status: "revoked",
        revoked: true,
      });
      const revokedToo = await pathLeases(t, ROOT, "team/mongo", "?include_revoked=true");
      expect(revokedToo.body.leases.some((l) => l.id === mine.body.lease_id)).toBe(true);
    });

    test("an approved checkout whose process died is finished by the reaper and still collected", async () => {
      const pending = await t.req<{ request_id: string }>("POST", "/v1/dynamic/gated/mongo/checkout", {
        token: agent.token,
        body: { ttl: 600 },
      });
      const approved = await t.req<{ lease_id: string }>(
        "POST",
        `/v1/requests/${pending.body.request_id}/approve`,
        {
          token: ROOT,
        },
      );
      expect(approved.status, approved.text).toBe(200);
      await t.req("GET", `/v1/requests/${pending.body.request_id}`, { token: agent.token });
      // Rewind to the moment after the approval committed but before the provider was called.
      const first = await leaseRow(t, approved.body.lease_id);
      if (!first) throw new Error("no lease");
      fake.users.delete(`app.${first.username}`);
      const { dynamicLeases } = t.ctx.store.t;
      await t.ctx.store.tx((tx) =>
        tx
          .update(dynamicLeases)
          .set({
            status: "creating",
            credential: null,
            activatedAt: null,
            nextAttemptAt: clock + STUCK_AFTER_MS,
          })
          .where(eq(dynamicLeases.id, first.id)),
      );
      const gone = await t.req<{ lease_status?: string }>("GET", `/v1/requests/${pending.body.request_id}`, {
        token: agent.token,
      });
      expect(gone.body.lease_status).toBe("creating");
      clock += STUCK_AFTER_MS;
      expect(await t.ctx.dynamic.reapOnce()).toBeGreaterThanOrEqual(1);
      expect(await leaseRow(t, first.id)).toMatchObject({ status: "failed", revokeReason: "recreate" });
      const got = await t.req<{
        lease_id: string;
        credential: { username: string };
        lease: { lease_id: string };
      }>("GET", `/v1/requests/${pending.body.request_id}`, { token: agent.token });
      expect(got.body.lease_id).not.toBe(first.id);
      expect(got.body.lease.lease_id).toBe(got.body.lease_id);
      expect(user(got.body.credential.username)).toBe(true);
      expect((await leaseAudit(t, got.body.lease_id)).map((a) => a.action)).toEqual([
        "dynamic.checkout",
        "dynamic.collect",
      ]);
      expect((await revoke(t, agent.token, got.body.lease_id)).status).toBe(200);
    });

    test("two reapers racing revoke each expired lease once", async () => {
      await t.ctx.dynamic.reapOnce();
      const leases = [];
      for (let i = 0; i < 3; i++)
        leases.push((await checkout<{ username: string }>(t, agent.token, "team/mongo", { ttl: 10 })).body);
      const drops = fake.commandsNamed("dropUser").length;
      clock += 10_000;
      const counts = await Promise.all([t.ctx.dynamic.reapOnce(1), t.ctx.dynamic.reapOnce(1)]);
      expect(counts[0] + counts[1]).toBe(3);
      expect(fake.commandsNamed("dropUser").length - drops).toBe(3);
      for (const l of leases) {
        expect(user(l.credential.username)).toBe(false);
        const actions = (await leaseAudit(t, l.lease_id)).map((a) => a.action);
        expect(actions).toEqual(["dynamic.checkout", "dynamic.reap"]);
      }
    });

    test("DELETE /v1/dynamic/:path: revokes first; kept while a revoke fails; 404 once gone", async () => {
      await saveConfig(t, ROOT, "team/doomed", "mongodb", mongo());
      const l = await checkout<{ username: string }>(t, agent.token, "team/doomed");
      expect((await t.req<Err>("DELETE", "/v1/dynamic/team/doomed", { token: agent.token })).status).toBe(
        403,
      );
      fake.down = true;
      const failed = await t.req<Err & { failed_leases: string[] }>("DELETE", "/v1/dynamic/team/doomed", {
        token: ROOT,
      });
      fake.down = false;
      expect(failed.status).toBe(502);
      expect(failed.body.failed_leases).toEqual([l.body.lease_id]);
      expect((await t.req("GET", "/v1/dynamic/team/doomed", { token: ROOT })).status).toBe(200);
      // A provider type change is refused while leases live.
      const change = await t.req<Err>("POST", "/v1/dynamic", {
        token: ROOT,
        body: { path: "team/doomed", provider_type: "redis", config: { host: "127.0.0.1", password: "x" } },
      });
      expect(change.status).toBe(409);
      const done = await t.req<{ deleted: boolean; revoked_leases: number }>(
        "DELETE",
        "/v1/dynamic/team/doomed",
        {
          token: pathAdmin,
        },
      );
      expect(done.status, done.text).toBe(200);
      expect(done.body).toMatchObject({ deleted: true, revoked_leases: 1 });
      expect(user(l.body.credential.username)).toBe(false);
      expect((await t.req<Err>("DELETE", "/v1/dynamic/team/doomed", { token: ROOT })).status).toBe(404);
      expect((await t.req<Err>("DELETE", "/v1/dynamic/lease/x", { token: ROOT })).status).toBe(404);
      const audit = (await t.ctx.store.db.select().from(t.ctx.store.t.auditLog)).filter(
        (a) => a.action === "dynamic.config.delete" && a.success,
      );
      expect(audit.length).toBe(1);
    });
  });
}
