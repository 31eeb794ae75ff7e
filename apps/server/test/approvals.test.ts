import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { agentToken, createPolicy, userToken } from "./harness/agents";
import { CANARY, createTestApp, ENGINES, recordHit, type TestApp } from "./harness/app";
import { PASSWORD } from "./harness/users";

const ROOT = "root-token-for-approval-tests-0123456789abcdef";
type Body = Record<string, unknown>;

/** Reads SSE frames from a live /v1/events stream until `until` matches or the time runs out. */
async function sse(t: TestApp, token: string) {
  const ac = new AbortController();
  const res = await t.app.handle(
    new Request("http://localhost/v1/events", {
      headers: { authorization: `Bearer ${token}` },
      signal: ac.signal,
    }),
  );
  recordHit("GET", "/v1/events", res.status);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const events: { event: string; data: Body }[] = [];
  let buf = "";
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buf += new TextDecoder().decode(value);
      let i = buf.indexOf("\n\n");
      while (i >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = frame.match(/^event: (.+)$/m)?.[1] ?? "message";
        const data = frame.match(/^data: (.+)$/m)?.[1];
        if (data) events.push({ event, data: JSON.parse(data) as Body });
        i = buf.indexOf("\n\n");
      }
    }
  })();
  return {
    status: res.status,
    events,
    async close() {
      ac.abort();
      await reader.cancel().catch(() => {});
      await pump;
    },
  };
}

for (const engine of ENGINES) {
  describe(`approvals on ${engine}`, () => {
    let t: TestApp;
    let clock = Date.now();
    const root = { token: ROOT };
    let agent: { id: string; identity: string; token: string };
    let other: { id: string; identity: string; token: string };
    let approver: { token: string; identity: string };
    let viewer: { token: string };

    beforeAll(async () => {
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT }, { now: () => clock });
      await createPolicy(t, ROOT, "gated", [
        { paths: ["prod/**"], capabilities: ["read", "lease"], approval: { required: true, max_ttl: 600 } },
        {
          paths: ["lab/**"],
          capabilities: ["read", "lease"],
          approval: { required: true, auto_approve_from: ["10.9.0.0/16"] },
        },
      ]);
      // A looser policy on the same paths: the strictest matching rule (approval) must still win.
      await createPolicy(t, ROOT, "loose", [
        { paths: ["prod/**", "lab/**"], capabilities: ["read", "lease"] },
      ]);
      agent = await agentToken(t, ["gated", "loose"]);
      other = await agentToken(t, ["gated"]);
      approver = await userToken(t, "approver");
      viewer = await userToken(t, "viewer");
      for (const p of ["prod/db", "prod/api", "lab/key"]) {
        expect((await t.req("POST", `/v1/secrets/${p}`, { ...root, body: { value: CANARY } })).status).toBe(
          201,
        );
      }
    });
    afterAll(() => t.close());

    const lease = (path: string, token: string, body: Body = {}) =>
      t.req<Body>("POST", `/v1/lease/${path}`, { token, body });

    test("the strictest rule wins: a lease becomes a pending request, visible live to approvers", async () => {
      const adminStream = await sse(t, ROOT);
      const otherStream = await sse(t, other.token);
      const r = await lease("prod/db", agent.token, { ttl: 300, reason: "run the nightly migration" });
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ status: "pending" });
      expect(r.text).not.toContain(CANARY);
      await Bun.sleep(20);
      await adminStream.close();
      await otherStream.close();
      const seen = adminStream.events.filter((e) => e.event === "approval").map((e) => e.data.request_id);
      expect(seen).toContain(r.body.request_id);
      expect(otherStream.events.some((e) => e.event === "approval")).toBe(false);
      const list = await t.req<{ requests: Body[] }>("GET", "/v1/requests?status=pending", {
        token: approver.token,
      });
      const mine = list.body.requests.find((x) => x.request_id === r.body.request_id);
      expect(mine).toMatchObject({
        reason: "run the nightly migration",
        requested_ttl: 300,
        identity: agent.identity,
        max_ttl: 600,
      });
      // The same ask while pending reuses the request.
      expect((await lease("prod/db", agent.token, { ttl: 300 })).body.request_id).toBe(r.body.request_id);
    });

    test("self-approval and approval by a viewer or another agent are refused; TTL above max_ttl is 400", async () => {
      const r = await lease("prod/api", agent.token);
      const id = r.body.request_id as string;
      expect(
        (await t.req("POST", `/v1/requests/${id}/approve`, { token: agent.token, body: {} })).status,
      ).toBe(403);
      expect(
        (await t.req("POST", `/v1/requests/${id}/approve`, { token: viewer.token, body: {} })).status,
      ).toBe(403);
      expect((await t.req("GET", `/v1/requests/${id}`, { token: other.token })).status).toBe(404);
      const tooLong = await t.req<Body>("POST", `/v1/requests/${id}/approve`, {
        token: approver.token,
        body: { ttl: 601 },
      });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.code).toBe("ttl_out_of_range");
      expect(
        (
          await t.req("POST", "/v1/requests/apr-00000000-0000-0000-0000-000000000000/approve", {
            token: approver.token,
            body: {},
          })
        ).status,
      ).toBe(404);
    });

    test("approve with a shorter TTL releases the long poll; collect again after a dropped poll", async () => {
      const r = await lease("prod/db", agent.token, { ttl: 300 });
      const id = r.body.request_id as string;
      const poll = t.req<Body>("GET", `/v1/requests/${id}?wait=30`, { token: agent.token });
      await Bun.sleep(30);
      const ok = await t.req<Body>("POST", `/v1/requests/${id}/approve`, {
        token: approver.token,
        body: { ttl: 120 },
      });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ status: "approved", approved_ttl: 120 });
      expect(JSON.stringify(ok.body)).not.toContain(CANARY);
      const got = await poll;
      expect(got.status).toBe(200);
      expect(got.body.status).toBe("approved");
      expect(got.body.value).toBe(CANARY);
      expect((got.body.lease as Body).ttl_seconds).toBe(120);
      // The poll was "dropped": the agent asks again and still gets it until the lease expires.
      const again = await t.req<Body>("GET", `/v1/requests/${id}`, { token: agent.token });
      expect(again.body.value).toBe(CANARY);
      // An approver sees the request but never the value.
      expect(
        (await t.req<Body>("GET", `/v1/requests/${id}`, { token: approver.token })).body.value,
      ).toBeUndefined();
      expect(
        (await t.req("POST", `/v1/requests/${id}/approve`, { token: approver.token, body: {} })).status,
      ).toBe(409);
      clock += 121_000;
      expect(
        (await t.req<Body>("GET", `/v1/requests/${id}`, { token: agent.token })).body.value,
      ).toBeUndefined();
    });

    test("denial reason reaches the agent", async () => {
      const r = await lease("prod/api", other.token);
      const id = r.body.request_id as string;
      expect(
        (await t.req("POST", `/v1/requests/${id}/deny`, { token: approver.token, body: {} })).status,
      ).toBe(400);
      const d = await t.req<Body>("POST", `/v1/requests/${id}/deny`, {
        token: approver.token,
        body: { reason: "not during the freeze" },
      });
      expect(d.status).toBe(200);
      const seen = await t.req<Body>("GET", `/v1/requests/${id}?wait=5`, { token: other.token });
      expect(seen.body).toMatchObject({ status: "denied", decision_reason: "not during the freeze" });
      expect(seen.body.value).toBeUndefined();
      expect(
        (await t.req("POST", `/v1/requests/${id}/deny`, { token: approver.token, body: { reason: "again" } }))
          .status,
      ).toBe(409);
    });

    test("an expired request cannot be approved", async () => {
      const r = await t.req<Body>("GET", "/v1/secrets/prod/api/value", {
        token: other.token,
        headers: { "x-gatehouse-reason": "debug" },
      });
      expect(r.status).toBe(202);
      clock += 16 * 60 * 1000;
      const a = await t.req<Body>("POST", `/v1/requests/${r.body.request_id}/approve`, {
        token: approver.token,
        body: {},
      });
      expect(a.status).toBe(410);
      expect(
        (await t.req<Body>("GET", `/v1/requests/${r.body.request_id}`, { token: other.token })).body.status,
      ).toBe("expired");
      expect(await t.ctx.approvals.expireStale()).toBeGreaterThan(0);
      expect(
        (await t.req<{ requests: Body[] }>("GET", "/v1/requests?status=expired", { token: approver.token }))
          .body.requests.length,
      ).toBeGreaterThan(0);
    });

    test("an approved read creates a grant: the agent re-sends the call and gets the value", async () => {
      const r = await t.req<Body>("GET", "/v1/secrets/prod/db/value", { token: other.token });
      expect(r.status).toBe(202);
      await t.req("POST", `/v1/requests/${r.body.request_id}/approve`, {
        token: approver.token,
        body: { ttl: 60 },
      });
      const v = await t.req<Body>("GET", "/v1/secrets/prod/db/value", { token: other.token });
      expect(v.status).toBe(200);
      expect(v.body.value).toBe(CANARY);
      clock += 61_000;
      expect((await t.req("GET", "/v1/secrets/prod/db/value", { token: other.token })).status).toBe(202);
    });

    test("auto-approve from a CIDR: directly, through a trusted proxy, and never through an untrusted one", async () => {
      t.setPeer("10.9.1.2");
      expect((await lease("lab/key", agent.token)).status).toBe(200);
      t.setPeer("127.0.0.1");
      expect((await lease("lab/key", agent.token, {})).status).toBe(202);
      const viaProxy = await t.req<Body>("POST", "/v1/lease/lab/key", {
        token: agent.token,
        body: {},
        headers: { "x-forwarded-for": "10.9.3.4" },
      });
      expect(viaProxy.status).toBe(200);
      t.setPeer("192.0.2.10");
      const spoofed = await t.req<Body>("POST", "/v1/lease/lab/key", {
        token: agent.token,
        body: {},
        headers: { "x-forwarded-for": "10.9.3.4" },
      });
      expect(spoofed.status).toBe(202);
      t.setPeer("127.0.0.1");
    });

    test("break-glass: a sole admin approves their own request with password, loudly audited", async () => {
      const admin = await userToken(t, "admin", ["gated"]);
      // The approver user makes this admin not "sole": refused first.
      const r = await t.req<Body>("GET", "/v1/secrets/prod/api/value", { token: admin.token });
      expect(r.status).toBe(202);
      const id = r.body.request_id as string;
      const refused = await t.req<Body>("POST", `/v1/requests/${id}/approve`, {
        token: admin.token,
        body: { break_glass: { password: PASSWORD } },
      });
      expect(refused.status).toBe(403);
      await t.ctx.store.tx((tx) =>
        tx.update(t.ctx.store.t.users).set({ enabled: false }).where(eqUser(t, approver.identity)),
      );
      const wrong = await t.req<Body>("POST", `/v1/requests/${id}/approve`, {
        token: admin.token,
        body: { break_glass: { password: "wrong-password" } },
      });
      expect(wrong.status).toBe(403);
      const ok = await t.req<Body>("POST", `/v1/requests/${id}/approve`, {
        token: admin.token,
        body: { ttl: 30, break_glass: { password: PASSWORD } },
      });
      expect(ok.status).toBe(200);
      expect(ok.body.break_glass).toBe(true);
      const rows = await t.ctx.store.db.select().from(t.ctx.store.t.auditLog);
      expect(rows.some((a) => a.action === "approval.break_glass" && a.identity === admin.identity)).toBe(
        true,
      );
    });

    test("SSE needs authentication; the audit tail shows a non-admin only its own entries", async () => {
      expect((await t.req("GET", "/v1/events")).status).toBe(401);
      const mine = await sse(t, other.token);
      expect(mine.status).toBe(200);
      await lease("lab/key", agent.token); // someone else's activity
      await t.req("GET", "/v1/secrets/prod/db", { token: other.token });
      await Bun.sleep(20);
      await mine.close();
      const audit = mine.events.filter((e) => e.event === "audit");
      expect(audit.length).toBeGreaterThan(0);
      expect(audit.every((e) => e.data.identity === other.identity)).toBe(true);
      // The entry as committed, with its time and metadata decoded for the reader.
      expect(audit[0]?.data.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(typeof audit[0]?.data.seq).toBe("number");
      expect(audit.some((e) => typeof e.data.metadata === "object" && e.data.metadata !== null)).toBe(true);
      expect(mine.events[0]?.event).toBe("ready");
    });

    test("request routes validate ids and filters", async () => {
      expect((await t.req("GET", "/v1/requests/not-an-id", { token: approver.token })).status).toBe(400);
      expect((await t.req("GET", "/v1/requests?status=weird", { token: approver.token })).status).toBe(400);
      expect((await t.req("GET", "/v1/requests")).status).toBe(401);
      expect(
        (
          await t.req<{ requests: Body[] }>("GET", "/v1/requests", { token: other.token })
        ).body.requests.every((r) => r.identity === other.identity),
      ).toBe(true);
    });
  });
}

const eqUser = (t: TestApp, identity: string) =>
  eq(t.ctx.store.t.users.username, identity.replace(/^user:/, ""));
