import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { reapExpiredLeases, startReaper } from "../src/workers/reaper";
import { agentToken, createPolicy, userToken } from "./harness/agents";
import { CANARY, createTestApp, ENGINES, type TestApp } from "./harness/app";
import { auditRows } from "./harness/users";

const ROOT = "root-token-for-lease-tests-0123456789abcdefgh";

type Lease = {
  id: string;
  secret_path: string;
  identity: string;
  ttl_seconds: number;
  created_at: string;
  expires_at: string;
  revoked: boolean;
};
type Listed = {
  id: string;
  kind: string;
  path: string;
  identity: string;
  expires_in: number;
  revoked: boolean;
  revoke_reason: string | null;
};
type Err = { code: string; error: string; field?: string };

const started = performance.now();

for (const engine of ENGINES) {
  describe(`leases on ${engine}`, () => {
    let t: TestApp;
    // The server's clock, moved by the tests: expiry is decided by it, never by wall time.
    let clock = Date.UTC(2030, 0, 1);
    const root = { token: ROOT };
    let agent: { identity: string; token: string };
    let other: { identity: string; token: string };
    let reader: string;
    let capped: string;
    let viewer: string;

    const checkout = (path: string, token: string, body?: unknown) =>
      t.req<{ lease: Lease; value: string } & Err>("POST", `/v1/lease/${path}`, { token, body });
    const list = (token: string, query = "") =>
      t.req<{ leases: Listed[] }>("GET", `/v1/lease${query}`, { token });

    beforeAll(async () => {
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT }, { now: () => clock });
      await createPolicy(t, ROOT, "l-lease", [{ paths: ["svc/**"], capabilities: ["lease", "list"] }]);
      await createPolicy(t, ROOT, "l-read", [{ paths: ["svc/**"], capabilities: ["read"] }]);
      await createPolicy(t, ROOT, "l-capped", [
        { paths: ["svc/**"], capabilities: ["lease"], approval: { required: false, max_ttl: 120 } },
      ]);
      await createPolicy(t, ROOT, "l-gated", [
        { paths: ["gated/**"], capabilities: ["lease"], approval: { required: true, max_ttl: 600 } },
      ]);
      agent = await agentToken(t, ["l-lease", "l-gated"]);
      other = await agentToken(t, ["l-lease"]);
      reader = (await agentToken(t, ["l-read"])).token;
      capped = (await agentToken(t, ["l-capped"])).token;
      viewer = (await userToken(t, "viewer", ["l-lease"])).token;
      for (const p of ["svc/api", "svc/db", "gated/key"]) {
        const w = await t.req("POST", `/v1/secrets/${p}`, { ...root, body: { value: CANARY } });
        expect(w.status).toBe(201);
      }
    });
    afterAll(async () => {
      await t.close();
      console.log(`leases suite (${engine}) done after ${Math.round(performance.now() - started)} ms`);
    });

    test("checkout returns the value and a lease; TTL default, range and the policy's max_ttl", async () => {
      const r = await checkout("svc/api", agent.token, { ttl: 60 });
      expect(r.status).toBe(200);
      expect(r.body.value).toBe(CANARY);
      expect(r.body.lease).toMatchObject({
        secret_path: "svc/api",
        identity: agent.identity,
        ttl_seconds: 60,
        revoked: false,
      });
      expect(r.body.lease.id).toMatch(/^lease-[0-9a-f-]{36}$/);
      expect(Date.parse(r.body.lease.expires_at) - Date.parse(r.body.lease.created_at)).toBe(60_000);
      expect(r.body.lease.created_at).toBe(new Date(clock).toISOString());
      expect((await checkout("svc/db", agent.token)).body.lease.ttl_seconds).toBe(300);

      for (const ttl of [9, 86_401]) {
        const bad = await checkout("svc/api", agent.token, { ttl });
        expect(bad.status).toBe(400);
        expect(bad.body.code).toBe("ttl_out_of_range");
      }
      expect((await checkout("svc/api", agent.token, { ttl: "long" })).body.code).toBe("invalid_request");
      // max_ttl 120: an explicit longer TTL is refused, the default is clamped.
      expect((await checkout("svc/api", capped, { ttl: 200 })).body.code).toBe("ttl_out_of_range");
      expect((await checkout("svc/api", capped)).body.lease.ttl_seconds).toBe(120);

      const rows = await auditRows(t);
      const entry = rows.find((a) => a.action === "lease.checkout" && a.leaseId === r.body.lease.id);
      expect(entry?.identity).toBe(agent.identity);
      expect(JSON.stringify(rows)).not.toContain(CANARY);
    });

    test("checkout refusals: no lease capability, viewer, missing secret, reserved path; approval → 202 pending", async () => {
      expect((await checkout("svc/api", reader)).status).toBe(403);
      const v = await checkout("svc/api", viewer);
      expect(v.status).toBe(403);
      expect(v.text).not.toContain(CANARY);
      const g = await checkout("gated/key", agent.token);
      expect(g.status).toBe(202);
      expect((g.body as unknown as { status: string }).status).toBe("pending");
      expect(String((g.body as unknown as { request_id: string }).request_id)).toMatch(/^apr-/);
      expect(g.text).not.toContain(CANARY);
      expect((await checkout("svc/missing", agent.token)).status).toBe(404);
      expect((await checkout("svc/api/renew", agent.token)).body.code).toBe("path_reserved");
      expect((await checkout("svc/renew", agent.token)).body.code).toBe("path_reserved");
      expect((await t.req("POST", "/v1/lease/svc/api")).status).toBe(401);
      const denied = (await auditRows(t)).filter(
        (a) => a.action === "lease.checkout" && a.outcome === "denied",
      );
      expect(denied.length).toBeGreaterThanOrEqual(2);
    });

    test("renew: the owner or a global admin; other identities, revoked and expired leases are refused", async () => {
      const { lease } = (await checkout("svc/api", agent.token, { ttl: 60 })).body;
      clock += 30_000;
      const renewed = await t.req<{ lease: Lease }>("POST", `/v1/lease/${lease.id}/renew`, {
        token: agent.token,
        body: { ttl: 600 },
      });
      expect(renewed.status).toBe(200);
      expect(renewed.body.lease.expires_at).toBe(new Date(clock + 600_000).toISOString());
      // Without a TTL the previous one applies.
      const again = await t.req<{ lease: Lease }>("POST", `/v1/lease/${lease.id}/renew`, {
        token: agent.token,
      });
      expect(again.body.lease.ttl_seconds).toBe(600);
      expect((await t.req("POST", `/v1/lease/${lease.id}/renew`, { token: other.token })).status).toBe(404);
      expect(
        (await t.req("POST", `/v1/lease/${lease.id}/renew`, { ...root, body: { ttl: 120 } })).status,
      ).toBe(200);
      expect(
        (await t.req<Err>("POST", `/v1/lease/${lease.id}/renew`, { ...root, body: { ttl: 5 } })).body.code,
      ).toBe("ttl_out_of_range");
      expect(
        (await t.req("POST", "/v1/lease/lease-00000000-0000-0000-0000-000000000000/renew", root)).status,
      ).toBe(404);
      expect((await t.req<Err>("POST", "/v1/lease/svc/renew", root)).body.code).toBe("path_reserved");

      clock += 120_000;
      const expired = await t.req<Err>("POST", `/v1/lease/${lease.id}/renew`, { token: agent.token });
      expect(expired.status).toBe(409);
      expect(expired.body.error).toContain("expired");

      const fresh = (await checkout("svc/api", agent.token)).body.lease;
      expect((await t.req("DELETE", `/v1/lease/${fresh.id}`, { token: agent.token })).status).toBe(200);
      expect((await t.req("POST", `/v1/lease/${fresh.id}/renew`, { token: agent.token })).status).toBe(409);
      expect((await auditRows(t)).some((a) => a.action === "lease.renew" && a.leaseId === lease.id)).toBe(
        true,
      );
    });

    test("list: own leases for agents, all for global admins, active only unless include_expired", async () => {
      const mine = (await checkout("svc/db", other.token, { ttl: 100 })).body.lease;
      const own = await list(other.token);
      expect(own.status).toBe(200);
      expect(own.body.leases.every((l) => l.identity === other.identity)).toBe(true);
      const item = own.body.leases.find((l) => l.id === mine.id);
      expect(item).toMatchObject({ kind: "static", path: "svc/db", expires_in: 100, revoked: false });
      const all = await list(ROOT);
      const identities = new Set(all.body.leases.map((l) => l.identity));
      expect(identities.has(other.identity) && identities.has(agent.identity)).toBe(true);

      clock += 101_000;
      expect((await list(other.token)).body.leases.some((l) => l.id === mine.id)).toBe(false);
      const history = await list(other.token, "?include_expired=true");
      expect(history.body.leases.find((l) => l.id === mine.id)?.expires_in).toBe(0);
      expect((await t.req("GET", "/v1/lease")).status).toBe(401);
      expect((await t.req("GET", "/v1/lease?include_expired=maybe", root)).status).toBe(400);
    });

    test("revoke: owner or admin, once; others get 404", async () => {
      const a = (await checkout("svc/api", agent.token)).body.lease;
      const b = (await checkout("svc/api", other.token)).body.lease;
      expect((await t.req("DELETE", `/v1/lease/${a.id}`, { token: other.token })).status).toBe(404);
      const r = await t.req<{ revoked: boolean; id: string }>("DELETE", `/v1/lease/${a.id}`, {
        token: agent.token,
      });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ revoked: true, id: a.id });
      expect((await t.req("DELETE", `/v1/lease/${a.id}`, { token: agent.token })).status).toBe(409);
      expect((await t.req("DELETE", `/v1/lease/${b.id}`, root)).status).toBe(200);
      expect((await t.req("DELETE", "/v1/lease/lease-missing", root)).status).toBe(404);
      const history = await list(agent.token, "?include_expired=true");
      expect(history.body.leases.find((l) => l.id === a.id)).toMatchObject({
        revoked: true,
        revoke_reason: "revoked",
      });
      expect((await auditRows(t)).filter((x) => x.action === "lease.revoke").length).toBeGreaterThanOrEqual(
        2,
      );
    });

    test("the reaper expires a lease on time, exactly once, even with two reapers racing", async () => {
      await reapExpiredLeases(t.ctx); // earlier tests' leftovers
      const { lease } = (await checkout("svc/api", agent.token, { ttl: 10 })).body;
      const created = clock;
      const { leases } = t.ctx.store.t;
      const row = async () => (await t.ctx.store.db.select().from(leases).where(eq(leases.id, lease.id)))[0];

      clock = created + 9_999;
      expect(await reapExpiredLeases(t.ctx)).toBe(0);
      expect((await row())?.revokedAt).toBeNull();

      clock = created + 10_000;
      const counts = await Promise.all([reapExpiredLeases(t.ctx, 1), reapExpiredLeases(t.ctx, 1)]);
      expect(counts[0] + counts[1]).toBe(1);
      expect(await reapExpiredLeases(t.ctx)).toBe(0);
      const reaped = await row();
      expect(reaped).toMatchObject({ revokedAt: created + 10_000, revokeReason: "expired" });
      const entries = (await auditRows(t)).filter((a) => a.action === "lease.reap" && a.leaseId === lease.id);
      expect(entries.length).toBe(1);
      expect(entries[0]?.identity).toBe("system:reaper");
    });

    test("the reaper worker runs on its interval and stops cleanly", async () => {
      const { lease } = (await checkout("svc/db", agent.token, { ttl: 10 })).body;
      clock += 10_000;
      const reaper = startReaper(t.ctx, { intervalMs: 5 });
      const { leases } = t.ctx.store.t;
      for (let i = 0; i < 200; i++) {
        const [r] = await t.ctx.store.db.select().from(leases).where(eq(leases.id, lease.id));
        if (r?.revokedAt !== null) break;
        await Bun.sleep(5);
      }
      await reaper.stop();
      const [r] = await t.ctx.store.db.select().from(leases).where(eq(leases.id, lease.id));
      expect(r?.revokeReason).toBe("expired");
      expect(await reaper.runOnce()).toBe(0);
    });
  });
}
