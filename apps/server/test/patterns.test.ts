import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { createPatternStore, MAX_PATTERNS_PER_SECRET } from "../src/modules/proxy/patterns";
import { agentToken, createPolicy } from "./harness/agents";
import { CANARY, createTestApp, ENGINES, type TestApp } from "./harness/app";
import { startDns, startUpstream, type TestDns, testPki, type Upstream } from "./harness/upstream";

const ROOT = "root-token-for-pattern-tests-0123456789abcdef";

type Pattern = {
  id: string;
  secret_path: string;
  method: string;
  url_template: string;
  host: string;
  request_headers: string[];
  request_schema: Record<string, string> | null;
  response_schema: Record<string, string> | null;
  last_status: number | null;
  confidence: number;
  verified_by: number;
  success_count: number;
  failure_count: number;
  pinned: boolean;
  recent_outcomes?: { agent: string; ok: boolean; at: string }[];
};
type Res = {
  status: number;
  body: unknown;
  suggestions?: { id: string; url_template: string; confidence: number; pinned: boolean }[];
  patterns_available?: number;
  code?: string;
};

const started = performance.now();
const UUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

for (const engine of ENGINES) {
  describe(`proxy patterns on ${engine}`, () => {
    let t: TestApp;
    let dns: TestDns;
    let api: Upstream;
    let base: string;
    let agent: { token: string; identity: string };
    let agent2: { token: string; identity: string };
    let reader: { token: string };
    let stranger: { token: string };
    let pathAdmin: { token: string };
    const root = { token: ROOT };

    const proxy = (body: Record<string, unknown>, token = agent.token) =>
      t.req<Res>("POST", "/v1/proxy", { token, body });
    const list = (secret: string | undefined, token = ROOT) =>
      t.req<{ patterns: Pattern[]; code?: string }>(
        "GET",
        `/v1/proxy/patterns${secret ? `?secret=${encodeURIComponent(secret)}` : ""}`,
        { token },
      );
    const find = async (secret: string, template: string, method = "GET") =>
      (await list(secret)).body.patterns.find((p) => p.url_template === template && p.method === method);

    beforeAll(async () => {
      dns = await startDns();
      api = startUpstream();
      dns.set("api.gatehouse.test", ["127.0.0.1"]);
      base = `https://api.gatehouse.test:${api.port}`;
      t = await createTestApp(
        engine,
        { GATEHOUSE_ROOT_TOKEN: ROOT },
        { proxyNet: { resolve: dns.resolve, ca: testPki().ca } },
      );
      await createPolicy(t, ROOT, "pp", [{ paths: ["pt/**"], capabilities: ["proxy"] }]);
      await createPolicy(t, ROOT, "pr", [{ paths: ["pt/key"], capabilities: ["read"] }]);
      await createPolicy(t, ROOT, "pa", [{ paths: ["pt/**"], capabilities: ["admin"] }]);
      await createPolicy(t, ROOT, "other", [{ paths: ["elsewhere/**"], capabilities: ["read"] }]);
      for (const p of ["pt/key", "pt/second", "pt/bound"]) {
        const r = await t.req("POST", `/v1/secrets/${p}`, {
          ...root,
          body: { value: CANARY, metadata: { allowed_domains: "gatehouse.test" } },
        });
        expect(r.status).toBe(201);
      }
      agent = await agentToken(t, ["pp"]);
      agent2 = await agentToken(t, ["pp"]);
      reader = await agentToken(t, ["pr"]);
      stranger = await agentToken(t, ["other"]);
      pathAdmin = await agentToken(t, ["pa"]);
    });
    afterAll(async () => {
      api.stop();
      dns.stop();
      await t.close();
      console.log(`patterns suite (${engine}) done after ${Math.round(performance.now() - started)} ms`);
    });

    test("a successful call is recorded as a normalized template with header names and shapes, never values", async () => {
      const r = await proxy({
        method: "GET",
        url: `${base}/repos/42/issues?state=open&token={{secret:pt/key}}#frag`,
        inject: { Authorization: "pt/key" },
        headers: { Accept: "application/json" },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const p = await find("pt/key", `${base}/repos/:num/issues?state=&token=`);
      expect(p).toMatchObject({
        secret_path: "pt/key",
        method: "GET",
        host: `api.gatehouse.test:${api.port}`,
        last_status: 200,
        confidence: 1,
        verified_by: 1,
        success_count: 1,
        failure_count: 0,
        pinned: false,
        request_schema: null,
      });
      expect(p?.request_headers).toEqual(["accept", "authorization"]);
      expect(p?.response_schema).toMatchObject({
        who: "string",
        method: "string",
        query: "object",
        items: "array<object>",
        body: "null",
      });
      const rows = await t.ctx.store.db.select().from(t.ctx.store.t.proxyPatterns);
      const text = JSON.stringify(rows);
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain("open");
    });

    test("ids, UUIDs and dates collapse; the method is part of the key", async () => {
      for (const u of [
        "/repos/43/issues?state=closed",
        `/items/${UUID}`,
        "/items/0a8fad5b-d9cb-469f-a165-70867728950e",
        "/logs/2024-01-02",
        "/logs/2025-12-31",
      ])
        expect(
          (await proxy({ method: "GET", url: `${base}${u}`, inject: { Authorization: "pt/key" } })).status,
        ).toBe(200);
      expect(
        (await proxy({ method: "DELETE", url: `${base}/items/${UUID}`, inject: { A: "pt/key" } })).status,
      ).toBe(200);
      const all = (await list("pt/key")).body.patterns;
      expect((await find("pt/key", `${base}/repos/:num/issues?state=&token=`))?.success_count).toBe(1);
      expect((await find("pt/key", `${base}/repos/:num/issues?state=`))?.success_count).toBe(1);
      expect((await find("pt/key", `${base}/items/:id`))?.success_count).toBe(2);
      expect((await find("pt/key", `${base}/items/:id`, "DELETE"))?.success_count).toBe(1);
      expect((await find("pt/key", `${base}/logs/:date`))?.success_count).toBe(2);
      expect(all.every((p) => !p.url_template.includes(UUID))).toBe(true);
    });

    test("failures update a pattern but never create one; confidence rolls over the last 20 outcomes", async () => {
      const call = (n: number, method = "GET") =>
        proxy({ method, url: `${base}/status/${n}`, inject: { A: "pt/key" } });
      expect((await call(404, "PATCH")).body).toMatchObject({ status: 404 });
      expect(await find("pt/key", `${base}/status/:num`, "PATCH")).toBeUndefined();
      for (let i = 0; i < 15; i++) await call(200);
      for (let i = 0; i < 10; i++) await call(500);
      const p = await find("pt/key", `${base}/status/:num`);
      expect(p).toMatchObject({ success_count: 15, failure_count: 10, confidence: 0.5, last_status: 500 });
      expect(p?.recent_outcomes?.length).toBe(20);
      for (let i = 0; i < 20; i++) await call(201);
      expect((await find("pt/key", `${base}/status/:num`))?.confidence).toBe(1);
    });

    test("request schemas merge on success; verified_by counts distinct agents", async () => {
      const post = (body: unknown, token = agent.token) =>
        proxy({ method: "POST", url: `${base}/things`, inject: { A: "pt/key" }, body }, token);
      await post({ a: 1, name: "x" });
      await post({ b: "y", name: null }, agent2.token);
      const p = await find("pt/key", `${base}/things`, "POST");
      expect(p?.request_schema).toEqual({ a: "number", b: "string", name: "null|string" });
      expect(p?.verified_by).toBe(2);
      expect(p?.request_headers).toContain("content-type");
    });

    test("failed calls carry up to 5 suggestions (closest first) and the number of patterns; timeouts too", async () => {
      const r = await proxy({ method: "GET", url: `${base}/status/404`, inject: { A: "pt/key" } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 404 });
      expect(r.body.patterns_available).toBeGreaterThanOrEqual(6);
      expect(r.body.suggestions?.length).toBe(5);
      for (const s of r.body.suggestions ?? []) expect(s.confidence > 0.5 || s.pinned).toBe(true);
      // The exact call that failed is not suggested back; the closest ones (same host) come first.
      expect(r.body.suggestions?.some((s) => s.url_template === `${base}/status/:num`)).toBe(false);
      expect(JSON.stringify(r.body.suggestions)).not.toContain(CANARY);
      const slow = await proxy({
        method: "GET",
        url: `${base}/slow?ms=2000`,
        inject: { A: "pt/key" },
        timeout: 1000,
      });
      expect(slow.status).toBe(504);
      expect(slow.body.code).toBe("upstream_timeout");
      expect(slow.body.suggestions?.length).toBeGreaterThan(0);
      // Successes carry none.
      const ok = await proxy({ method: "GET", url: `${base}/things`, inject: { A: "pt/key" } });
      expect(ok.body.suggestions).toBeUndefined();
    });

    test("GET /v1/proxy/patterns: proxy or read on the secret; without ?secret only global admins; outcomes for admins", async () => {
      const byAgent = await list("pt/key", agent.token);
      expect(byAgent.status).toBe(200);
      expect(byAgent.body.patterns.length).toBeGreaterThan(0);
      expect(byAgent.body.patterns[0]?.recent_outcomes).toBeUndefined();
      expect((await list("pt/key", reader.token)).status).toBe(200);
      expect((await list("pt/second", reader.token)).status).toBe(403);
      expect((await list("pt/key", stranger.token)).status).toBe(403);
      expect((await list(undefined, agent.token)).status).toBe(403);
      expect((await list("../bad", agent.token)).status).toBe(400);
      const all = await list(undefined);
      expect(all.status).toBe(200);
      expect(all.body.patterns.every((p) => p.recent_outcomes !== undefined)).toBe(true);
      expect((await list("pt/key", pathAdmin.token)).body.patterns[0]?.recent_outcomes).toBeDefined();
      const limited = await t.req<{ patterns: Pattern[] }>(
        "GET",
        "/v1/proxy/patterns?secret=pt/key&limit=2",
        {
          token: agent.token,
        },
      );
      expect(limited.body.patterns.length).toBe(2);
    });

    test("PUT /v1/proxy/patterns/:id/pin toggles (admins of the secret); pinned patterns rank first", async () => {
      const low = await find("pt/key", `${base}/logs/:date`);
      const id = low?.id as string;
      expect((await t.req("PUT", `/v1/proxy/patterns/${id}/pin`, { token: agent.token })).status).toBe(403);
      const on = await t.req<{ pinned: boolean }>("PUT", `/v1/proxy/patterns/${id}/pin`, {
        token: pathAdmin.token,
      });
      expect(on.status).toBe(200);
      expect(on.body.pinned).toBe(true);
      expect((await list("pt/key")).body.patterns[0]?.id).toBe(id);
      const off = await t.req<{ pinned: boolean }>("PUT", `/v1/proxy/patterns/${id}/pin`, root);
      expect(off.body.pinned).toBe(false);
      expect((await t.req("PUT", `/v1/proxy/patterns/ptn-${crypto.randomUUID()}/pin`, root)).status).toBe(
        404,
      );
      expect((await t.req("PUT", "/v1/proxy/patterns/not-an-id/pin", root)).status).toBe(400);
      const audit = await t.ctx.store.db
        .select()
        .from(t.ctx.store.t.auditLog)
        .where(eq(t.ctx.store.t.auditLog.action, "proxy.pattern_pin"));
      expect(audit.filter((a) => a.success).length).toBe(2);
      expect(audit.some((a) => a.outcome === "denied")).toBe(true);
    });

    test("DELETE /v1/proxy/patterns/:id (admins of the secret); hidden from callers who cannot see the secret", async () => {
      const p = await find("pt/key", `${base}/items/:id`, "DELETE");
      const id = p?.id as string;
      expect((await t.req("DELETE", `/v1/proxy/patterns/${id}`, { token: agent.token })).status).toBe(403);
      expect((await t.req("DELETE", `/v1/proxy/patterns/${id}`, { token: stranger.token })).status).toBe(404);
      const del = await t.req<{ deleted: boolean }>("DELETE", `/v1/proxy/patterns/${id}`, root);
      expect(del.status).toBe(200);
      expect(del.body.deleted).toBe(true);
      expect((await t.req("DELETE", `/v1/proxy/patterns/${id}`, root)).status).toBe(404);
      expect(await find("pt/key", `${base}/items/:id`, "DELETE")).toBeUndefined();
    });

    test(`at most ${MAX_PATTERNS_PER_SECRET} patterns per secret: the least recently used unpinned one goes`, async () => {
      const store = createPatternStore(t.ctx);
      const obs = (i: number) => ({
        method: "GET",
        template: `${base}/bound/${"x".repeat(1 + (i % 3))}${i}`,
        host: "h",
        headerNames: [],
        requestSchema: null,
        responseSchema: null,
        status: 200,
        ok: true,
        agent: "approle:test",
      });
      await t.ctx.store.tx((tx) => store.record(tx, ["pt/bound"], obs(0)));
      const first = (await list("pt/bound")).body.patterns[0] as Pattern;
      await t.req("PUT", `/v1/proxy/patterns/${first.id}/pin`, root);
      for (let i = 1; i < MAX_PATTERNS_PER_SECRET + 10; i++)
        await t.ctx.store.tx((tx) => store.record(tx, ["pt/bound"], obs(i)));
      const after = (await list("pt/bound")).body.patterns;
      expect(after.length).toBe(MAX_PATTERNS_PER_SECRET);
      expect(after.some((p) => p.id === first.id && p.pinned)).toBe(true);
    });
  });
}
