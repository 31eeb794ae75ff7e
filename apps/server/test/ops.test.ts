import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { agentToken, createPolicy, userToken } from "./harness/agents";
import { CANARY, createTestApp, ENGINES, recordHit, type TestApp } from "./harness/app";

// Operations endpoints: liveness, readiness, Prometheus metrics, and what graceful shutdown does to
// long-lived responses (the SIGTERM path of the real process is in shutdown.test.ts).

const ROOT = "root-token-for-ops-tests-0123456789abcdef-xyz";
const METRICS_TOKEN = "metrics-token-for-ops-tests-0123456789abcdef";
type Body = Record<string, unknown>;

/** Parses Prometheus text into samples: name, labels, value. */
function samples(text: string) {
  const out: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] as string] = (l[2] as string).replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    out.push({ name: m[1] as string, labels, value: m[4] === "+Inf" ? Infinity : Number(m[4]) });
  }
  return out;
}

for (const engine of ENGINES) {
  describe(`health and metrics on ${engine}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT, GATEHOUSE_METRICS_TOKEN: METRICS_TOKEN });
    });
    afterAll(() => t.close());

    test("/health/live answers while the process runs; /health/ready checks the database and migrations", async () => {
      const live = await t.req<Body>("GET", "/health/live");
      expect(live.status).toBe(200);
      expect(live.body.status).toBe("ok");
      const ready = await t.req<Body>("GET", "/health/ready");
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({
        status: "ready",
        checks: { database: true, migrations: true, accepting: true },
      });
    });

    test("/health/ready is 503 when the migrations of this build are missing (an older database)", async () => {
      const old = await createTestApp(engine);
      try {
        const table = engine === "pg" ? "drizzle.__drizzle_migrations" : "__drizzle_migrations";
        await old.ctx.store.exec(
          `DELETE FROM ${table} WHERE created_at = (SELECT max(created_at) FROM ${table})`,
        );
        const r = await old.req<Body>("GET", "/health/ready");
        expect(r.status).toBe(503);
        expect(r.body.checks).toEqual({ database: true, migrations: false, accepting: true });
        expect((await old.req("GET", "/health/live")).status).toBe(200);
      } finally {
        await old.close();
      }
    });

    test("/health/ready is 503 without a database", async () => {
      const broken = await createTestApp(engine);
      await broken.ctx.store.close();
      const r = await broken.req<Body>("GET", "/health/ready");
      expect(r.status).toBe(503);
      expect((r.body.checks as Body).database).toBe(false);
    });

    test("/metrics needs the metrics token or a global admin", async () => {
      const none = await t.req<Body>("GET", "/metrics");
      expect(none.status).toBe(401);
      expect(none.body.code).toBe("unauthorized");
      const wrong = await t.req<Body>("GET", "/metrics", { token: "not-the-metrics-token-0123456789abcdef" });
      expect(wrong.status).toBe(401);
      const agent = await agentToken(t, ["default"]);
      const denied = await t.req<Body>("GET", "/metrics", { token: agent.token });
      expect(denied.status).toBe(403);
      const viewer = await userToken(t, "viewer");
      expect((await t.req("GET", "/metrics", { token: viewer.token })).status).toBe(403);
      const byToken = await t.req<string>("GET", "/metrics", { token: METRICS_TOKEN });
      expect(byToken.status).toBe(200);
      expect(byToken.headers.get("content-type")).toContain("text/plain; version=0.0.4");
      const admin = await userToken(t, "admin");
      expect((await t.req("GET", "/metrics", { token: admin.token })).status).toBe(200);
      expect((await t.req("GET", "/metrics", { token: ROOT })).status).toBe(200);
    });

    test("requests are counted by route pattern and status, never by concrete path", async () => {
      const token = `tok${randomUUID().replace(/-/g, "")}`;
      const requestId = `apr-${randomUUID()}`;
      await t.req("GET", `/v1/onboard/${token}`);
      await t.req("GET", `/v1/requests/${requestId}`, { token: ROOT });
      await t.req("POST", `/v1/secrets/ops/${token}`, { token: ROOT, body: { value: CANARY } });
      await t.req("GET", `/v1/secrets/ops/${token}/value`, { token: ROOT });
      await t.req("GET", `/no/such/${token}`);
      await Bun.sleep(50); // after-response hooks run once the response is handed over
      const r = await t.req<string>("GET", "/metrics", { token: METRICS_TOKEN });
      expect(r.text).not.toContain(token);
      expect(r.text).not.toContain(requestId);
      expect(r.text).not.toContain(CANARY);
      const s = samples(r.text);
      const reqs = s.filter((x) => x.name === "gatehouse_http_requests_total");
      const routes = new Set(reqs.map((x) => x.labels.route));
      expect(routes.has("/v1/onboard/:token")).toBe(true);
      expect(routes.has("/v1/requests/:id")).toBe(true);
      expect(routes.has("/v1/secrets/*")).toBe(true);
      for (const route of routes) expect(route === "unmatched" || route?.startsWith("/")).toBe(true);
      const secretWrites = reqs.find(
        (x) => x.labels.route === "/v1/secrets/*" && x.labels.method === "POST" && x.labels.status === "201",
      );
      expect(secretWrites?.value).toBeGreaterThanOrEqual(1);
      const onboard = reqs.find((x) => x.labels.route === "/v1/onboard/:token");
      expect(Number(onboard?.labels.status)).toBeGreaterThanOrEqual(400);
      // The latency histogram: cumulative buckets ending in +Inf equal to the count.
      const buckets = s.filter(
        (x) =>
          x.name === "gatehouse_http_request_duration_seconds_bucket" &&
          x.labels.route === "/v1/secrets/*" &&
          x.labels.method === "GET",
      );
      const values = buckets.map((b) => b.value);
      expect(values).toEqual([...values].sort((a, b) => a - b));
      const count = s.find(
        (x) =>
          x.name === "gatehouse_http_request_duration_seconds_count" &&
          x.labels.route === "/v1/secrets/*" &&
          x.labels.method === "GET",
      );
      expect(buckets.find((b) => b.labels.le === "+Inf")?.value).toBe(count?.value);
    });

    test("leases, pending approvals, audit commits, readiness and the upstream hook are exported", async () => {
      await createPolicy(t, ROOT, "ops-gated", [
        { paths: ["gated/**"], capabilities: ["read", "lease"], approval: { required: true } },
        { paths: ["ops/**"], capabilities: ["read", "lease"] },
      ]);
      for (const p of ["gated/one", "ops/leased"])
        expect(
          (await t.req("POST", `/v1/secrets/${p}`, { token: ROOT, body: { value: CANARY } })).status,
        ).toBe(201);
      const agent = await agentToken(t, ["ops-gated"]);
      const before = samples((await t.req<string>("GET", "/metrics", { token: METRICS_TOKEN })).text);
      const gauge = (all: typeof before, name: string, labels: Record<string, string> = {}) =>
        all.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))
          ?.value ?? 0;
      expect(
        (await t.req("POST", "/v1/lease/ops/leased", { token: agent.token, body: { ttl: 60 } })).status,
      ).toBe(200);
      expect((await t.req("GET", "/v1/secrets/gated/one/value", { token: agent.token })).status).toBe(202);
      t.ctx.metrics.reportUpstream("github", { up: true, transport: "stdio" });
      t.ctx.metrics.reportUpstream("jira", { up: false });
      const after = samples((await t.req<string>("GET", "/metrics", { token: METRICS_TOKEN })).text);
      expect(gauge(after, "gatehouse_leases_active", { kind: "static" })).toBe(
        gauge(before, "gatehouse_leases_active", { kind: "static" }) + 1,
      );
      expect(gauge(after, "gatehouse_approval_requests_pending")).toBe(
        gauge(before, "gatehouse_approval_requests_pending") + 1,
      );
      expect(gauge(after, "gatehouse_audit_commit_duration_seconds_count")).toBeGreaterThan(0);
      expect(gauge(after, "gatehouse_database_up")).toBe(1);
      expect(gauge(after, "gatehouse_ready")).toBe(1);
      expect(gauge(after, "gatehouse_build_info", { engine })).toBe(1);
      expect(gauge(after, "gatehouse_mcp_upstream_up", { upstream: "github" })).toBe(1);
      expect(gauge(after, "gatehouse_mcp_upstream_up", { upstream: "jira" })).toBe(0);
      t.ctx.metrics.forgetUpstream("jira");
      const later = (await t.req<string>("GET", "/metrics", { token: METRICS_TOKEN })).text;
      expect(later).not.toContain('upstream="jira"');
    });
  });
}

describe("graceful shutdown of long-lived responses", () => {
  test("SSE streams end with `event: end`, long polls answer the current state, readiness turns 503", async () => {
    const t = await createTestApp("sqlite", { GATEHOUSE_ROOT_TOKEN: ROOT });
    try {
      await createPolicy(t, ROOT, "ops-wait", [
        { paths: ["wait/**"], capabilities: ["read"], approval: { required: true } },
      ]);
      await t.req("POST", "/v1/secrets/wait/db", { token: ROOT, body: { value: CANARY } });
      const agent = await agentToken(t, ["ops-wait"]);
      const pending = await t.req<Body>("GET", "/v1/secrets/wait/db/value", { token: agent.token });
      expect(pending.status).toBe(202);
      const id = pending.body.request_id as string;

      const res = await t.app.handle(
        new Request("http://localhost/v1/events", { headers: { authorization: `Bearer ${ROOT}` } }),
      );
      recordHit("GET", "/v1/events", res.status);
      const text = new Response(res.body).text();
      const started = Date.now();
      const poll = t.req<Body>("GET", `/v1/requests/${id}?wait=60`, { token: agent.token });
      await Bun.sleep(100);
      expect(t.ctx.lifecycle.streams).toBe(1);
      t.ctx.lifecycle.beginShutdown();
      const polled = await poll;
      expect(Date.now() - started).toBeLessThan(5000);
      expect(polled.status).toBe(200);
      expect(polled.body.status).toBe("pending");
      expect(polled.body.request_id).toBe(id);
      const frames = await text; // resolves only because the stream was closed
      expect(frames.startsWith("retry: 3000\nevent: ready")).toBe(true);
      expect(frames.trimEnd().endsWith('event: end\ndata: {"reason":"shutdown"}')).toBe(true);
      expect(t.ctx.lifecycle.streams).toBe(0);
      const ready = await t.req<Body>("GET", "/health/ready");
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe("shutting_down");
    } finally {
      await t.close();
    }
  });

  test("drain() waits for queued audit entries to commit", async () => {
    const t = await createTestApp("sqlite");
    try {
      const writes = Array.from({ length: 50 }, (_, i) =>
        t.ctx.audit.append({ identity: "test", action: "ops.drain", path: `n/${i}`, success: true }),
      );
      expect(t.ctx.audit.queued).toBeGreaterThan(0);
      await t.ctx.audit.drain();
      expect(t.ctx.audit.queued).toBe(0);
      const rows = (await t.ctx.store.db.select().from(t.ctx.store.t.auditLog)).filter(
        (r) => r.action === "ops.drain",
      );
      expect(rows.length).toBe(50);
      await Promise.all(writes);
      await t.ctx.audit.drain(); // nothing queued: resolves at once
    } finally {
      await t.close();
    }
  });
});
