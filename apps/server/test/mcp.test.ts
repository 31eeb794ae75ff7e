import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import type { CreateRequest, DynamicProvider } from "../src/modules/dynamic/providers/types";
import { agentToken, createPolicy, userToken } from "./harness/agents";
import { CANARY, createTestApp, ENGINES, recordHit, type TestApp } from "./harness/app";
import { auditRows } from "./harness/users";

const ROOT = "root-token-for-mcp-tests-0123456789abcdefghij";
const FAKE_GITHUB = `ghp_${"A1b2C3d4E5".repeat(3)}abcdef`;
type Body = Record<string, unknown>;

const TOOLS = [
  "gatehouse_checkout",
  "gatehouse_get",
  "gatehouse_lease",
  "gatehouse_list",
  "gatehouse_patterns",
  "gatehouse_proxy",
  "gatehouse_put",
  "gatehouse_request_status",
  "gatehouse_revoke",
  "gatehouse_scrub",
  "gatehouse_status",
];

const textOf = (r: CallToolResult) => (r.content[0] as { type: "text"; text: string }).text;
const jsonOf = (r: CallToolResult) => JSON.parse(textOf(r)) as Body;

/** An upstream API for the proxy: echoes what it received, plus a credential it should not have leaked. */
function startUpstream() {
  const seen: { authorization: string | null; path: string }[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const url = new URL(req.url);
      const authorization = req.headers.get("authorization");
      seen.push({ authorization, path: url.pathname });
      return Response.json({ path: url.pathname, echoed_auth: authorization, leaked: FAKE_GITHUB });
    },
  });
  return { server, seen, port: server.port };
}

/** An in-memory "redis" engine: credentials it created and revoked, no server needed. */
function fakeRedis() {
  const users = new Set<string>();
  const provider: DynamicProvider = {
    type: "redis",
    label: "Redis (fake)",
    fields: [{ name: "url", type: "string", required: true, description: "server" }],
    maxUsernameLength: 64,
    revocation: "immediate",
    renewable: false,
    validateConfig: async (c) => c,
    test: async () => {},
    create: async (_c, req: CreateRequest) => {
      users.add(req.username);
      return { username: req.username, password: req.password };
    },
    revoke: async (_c, username) => {
      users.delete(username);
    },
    listActive: async () => [...users],
  };
  return { provider, users };
}

for (const engine of ENGINES) {
  describe(`MCP on ${engine}`, () => {
    let t: TestApp;
    let clock = Date.now();
    const upstream = startUpstream();
    const redis = fakeRedis();
    let agent: { id: string; identity: string; token: string };
    let approver: { token: string };
    let viewer: { token: string };
    const clients: Client[] = [];

    /** The SDK client over Streamable HTTP, its fetch going through app.handle (recorded for the meta-check). */
    async function connect(token: string | null): Promise<Client> {
      const transport = new StreamableHTTPClientTransport(new URL("http://localhost/v1/mcp"), {
        requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : {},
        fetch: async (url, init) => {
          const res = await t.app.handle(new Request(url, init));
          recordHit(init?.method ?? "GET", new URL(String(url)).pathname, res.status);
          return res;
        },
      });
      const client = new Client({ name: "gatehouse-test", version: "1.0.0" });
      await client.connect(transport);
      clients.push(client);
      return client;
    }

    const call = (c: Client, name: string, args: Body = {}, onprogress?: (p: Progress) => void) =>
      c.callTool({ name, arguments: args }, undefined, {
        onprogress,
        timeout: 120_000,
      }) as Promise<CallToolResult>;

    const put = async (path: string, value: string, metadata?: Record<string, string>) => {
      const r = await t.req("POST", `/v1/secrets/${path}`, { token: ROOT, body: { value, metadata } });
      expect(r.status, r.text).toBeLessThan(300);
    };

    async function pendingFor(path: string): Promise<string> {
      for (let i = 0; i < 200; i++) {
        const r = await t.req<{ requests: Body[] }>("GET", "/v1/requests?status=pending", {
          token: approver.token,
        });
        const found = r.body.requests.find((x) => x.path === path && x.identity === agent.identity);
        if (found) return found.request_id as string;
        await Bun.sleep(10);
      }
      throw new Error(`no pending request for ${path}`);
    }

    let c: Client;

    beforeAll(async () => {
      t = await createTestApp(
        engine,
        { GATEHOUSE_ROOT_TOKEN: ROOT },
        {
          now: () => clock,
          proxyNet: { resolve: async () => ["127.0.0.1"] },
          dynamicProviders: { redis: redis.provider },
        },
      );
      await createPolicy(t, ROOT, "mcp-agent", [
        { paths: ["app/**"], capabilities: ["read", "lease", "list", "write"] },
        { paths: ["short/**"], capabilities: ["lease", "list"], approval: { required: false, max_ttl: 60 } },
        {
          paths: ["gated/**"],
          capabilities: ["read", "lease", "list"],
          approval: { required: true, max_ttl: 600 },
        },
        { paths: ["proxied/**"], capabilities: ["proxy", "list"] },
        { paths: ["dyn/**"], capabilities: ["lease"], approval: { required: false, max_ttl: 120 } },
        { paths: ["app/locked"], capabilities: ["deny"] },
      ]);
      agent = await agentToken(t, ["mcp-agent"]);
      approver = await userToken(t, "approver");
      viewer = await userToken(t, "viewer", ["mcp-agent"]);
      await put("app/db", CANARY);
      await put("app/locked", CANARY);
      await put("other/secret", CANARY);
      await put("short/key", CANARY);
      for (const p of ["gated/one", "gated/two", "gated/three", "gated/four"]) await put(p, CANARY);
      const domains = { allowed_domains: "api.mcp.test" };
      await put("proxied/api", CANARY, domains);
      await put("proxied/basic", `robot:${CANARY}`, domains);
      const dyn = await t.req("POST", "/v1/dynamic", {
        token: ROOT,
        body: { path: "dyn/cache", provider_type: "redis", config: { url: "redis://127.0.0.1:6379" } },
      });
      expect(dyn.status, dyn.text).toBeLessThan(300);
      c = await connect(agent.token);
    });
    afterAll(async () => {
      for (const cl of clients) await cl.close().catch(() => {});
      upstream.server.stop(true);
      await t.close();
    });

    test("initialize: server info, tools capability and instructions", () => {
      expect(c.getServerVersion()).toMatchObject({ name: "gatehouse" });
      expect(c.getServerCapabilities()?.tools).toBeDefined();
      expect(c.getInstructions()).toContain("gatehouse_proxy");
    });

    test("tools/list: Gatehouse's names and inputs, plus gatehouse_request_status", async () => {
      const { tools } = await c.listTools();
      expect(tools.map((x) => x.name).sort()).toEqual(TOOLS);
      const schema = (n: string) => tools.find((x) => x.name === n)?.inputSchema as Body;
      expect(schema("gatehouse_get").required).toEqual(["path"]);
      expect(Object.keys(schema("gatehouse_lease").properties as Body)).toEqual(["path", "ttl", "reason"]);
      expect(schema("gatehouse_put").required).toEqual(["path", "value"]);
      expect(Object.keys(schema("gatehouse_put").properties as Body)).toContain("metadata");
      expect(schema("gatehouse_proxy").required).toEqual(["method", "url"]);
      expect(Object.keys(schema("gatehouse_proxy").properties as Body)).toEqual(
        expect.arrayContaining(["headers", "inject", "auto_inject", "body", "timeout"]),
      );
      expect(schema("gatehouse_revoke").required).toEqual(["lease_id"]);
      expect(schema("gatehouse_patterns").required).toEqual(["secret_path"]);
      expect(schema("gatehouse_scrub").required).toEqual(["text"]);
      expect(schema("gatehouse_request_status").required).toEqual(["request_id"]);
    });

    test("GET /v1/mcp/tools lists the same tools, authenticated", async () => {
      const r = await t.req<{ tools: { name: string; inputSchema: Body }[] }>("GET", "/v1/mcp/tools", {
        token: agent.token,
      });
      expect(r.status).toBe(200);
      expect(r.body.tools.map((x) => x.name).sort()).toEqual(TOOLS);
      expect((await t.req("GET", "/v1/mcp/tools")).status).toBe(401);
    });

    test("401 before any MCP processing; a bad token fails the SDK client", async () => {
      const r = await t.req<Body>("POST", "/v1/mcp", {
        body: { jsonrpc: "2.0", id: 1, method: "tools/list" },
        headers: { accept: "application/json, text/event-stream" },
      });
      expect(r.status).toBe(401);
      expect(r.body.code).toBe("unauthorized");
      await expect(connect("not-a-token")).rejects.toThrow();
    });

    test("gatehouse_get returns the value; denial, deny rule, missing secret and bad path are tool errors", async () => {
      const ok = await call(c, "gatehouse_get", { path: "app/db" });
      expect(ok.isError).toBeFalsy();
      expect(textOf(ok)).toBe(CANARY);
      const denied = await call(c, "gatehouse_get", { path: "other/secret" });
      expect(denied.isError).toBe(true);
      expect(jsonOf(denied).code).toBe("forbidden");
      expect(textOf(denied)).not.toContain(CANARY);
      const locked = await call(c, "gatehouse_get", { path: "app/locked" });
      expect(jsonOf(locked).code).toBe("forbidden");
      expect(jsonOf(await call(c, "gatehouse_get", { path: "app/none" })).code).toBe("not_found");
      const bad = await call(c, "gatehouse_get", { path: "../etc/passwd" });
      expect(bad.isError).toBe(true);
      expect(jsonOf(bad).code).toBe("path_invalid");
      // Schema violations are tool errors too, not protocol errors.
      const missing = await call(c, "gatehouse_get", {});
      expect(missing.isError).toBe(true);
    });

    test("a viewer never receives a value over MCP either", async () => {
      const v = await connect(viewer.token);
      const r = await call(v, "gatehouse_get", { path: "app/db" });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain("Viewers never receive");
    });

    test("audit entries written through MCP carry via: mcp", async () => {
      await call(c, "gatehouse_get", { path: "app/db" });
      const rows = (await auditRows(t)).filter(
        (r) => r.identity === agent.identity && r.action === "secret.reveal_value",
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => JSON.parse(r.metadata ?? "{}").via === "mcp")).toBe(true);
      const denied = (await auditRows(t)).filter(
        (r) => r.identity === agent.identity && r.outcome === "denied" && r.path === "other/secret",
      );
      expect(denied.length).toBeGreaterThan(0);
    });

    test("gatehouse_lease: value and lease; TTL clamped to 10 s and to max_ttl (REST answers 400)", async () => {
      const r = jsonOf(await call(c, "gatehouse_lease", { path: "app/db", ttl: 120 }));
      expect(r).toMatchObject({ path: "app/db", ttl_seconds: 120, value: CANARY });
      expect(String(r.lease_id)).toStartWith("lease-");
      expect(jsonOf(await call(c, "gatehouse_lease", { path: "short/key", ttl: 5000 })).ttl_seconds).toBe(60);
      expect(jsonOf(await call(c, "gatehouse_lease", { path: "app/db", ttl: 999_999 })).ttl_seconds).toBe(
        86_400,
      );
      expect(jsonOf(await call(c, "gatehouse_lease", { path: "app/db", ttl: 1 })).ttl_seconds).toBe(10);
      const rest = await t.req<Body>("POST", "/v1/lease/short/key", {
        token: agent.token,
        body: { ttl: 5000 },
      });
      expect(rest.status).toBe(400);
      const denied = await call(c, "gatehouse_lease", { path: "other/secret" });
      expect(denied.isError).toBe(true);
      expect(jsonOf(denied).code).toBe("forbidden");
    });

    test("gatehouse_revoke ends a lease; an unknown or foreign lease is a tool error", async () => {
      const lease = jsonOf(await call(c, "gatehouse_lease", { path: "app/db" }));
      const r = await call(c, "gatehouse_revoke", { lease_id: lease.lease_id });
      expect(jsonOf(r)).toEqual({ revoked: true, lease_id: lease.lease_id });
      const again = await call(c, "gatehouse_revoke", { lease_id: lease.lease_id });
      expect(jsonOf(again).code).toBe("conflict");
      const unknown = await call(c, "gatehouse_revoke", {
        lease_id: "lease-00000000-0000-0000-0000-000000000000",
      });
      expect(unknown.isError).toBe(true);
      expect(jsonOf(unknown).code).toBe("not_found");
    });

    test("gatehouse_list shows what the caller may see, never values; a bad prefix is a tool error", async () => {
      const r = jsonOf(await call(c, "gatehouse_list", { prefix: "app/" }));
      const paths = (r.secrets as Body[]).map((s) => s.path);
      expect(paths).toContain("app/db");
      expect(JSON.stringify(r)).not.toContain(CANARY);
      const all = jsonOf(await call(c, "gatehouse_list", {}));
      expect((all.secrets as Body[]).map((s) => s.path)).not.toContain("other/secret");
      expect((await call(c, "gatehouse_list", { prefix: "../" })).isError).toBe(true);
    });

    test("gatehouse_put validates the path and metadata with the secrets service's rules", async () => {
      const r = jsonOf(
        await call(c, "gatehouse_put", { path: "app/new", value: "v1", metadata: { owner: "ci" } }),
      );
      expect(r).toMatchObject({ path: "app/new", version: 1, created: true, metadata: { owner: "ci" } });
      const v2 = jsonOf(await call(c, "gatehouse_put", { path: "app/new", value: "v2" }));
      expect(v2).toMatchObject({ version: 2, created: false });
      for (const [path, code] of [
        ["app//x", "path_invalid"],
        ["/app/x", "path_invalid"],
        ["app/x y", "path_invalid"],
        ["app/x/value", "path_reserved"],
        ["app/x/versions/3", "path_reserved"],
      ]) {
        const bad = await call(c, "gatehouse_put", { path, value: "x" });
        expect(bad.isError, path).toBe(true);
        expect(jsonOf(bad).code, path).toBe(code);
      }
      const badMeta = await call(c, "gatehouse_put", {
        path: "app/m",
        value: "x",
        metadata: { "Bad-Key": "1" },
      });
      expect(jsonOf(badMeta)).toMatchObject({ code: "invalid_request", field: "metadata" });
      const security = await call(c, "gatehouse_put", {
        path: "app/m",
        value: "x",
        metadata: { allowed_domains: "evil.example" },
      });
      expect(jsonOf(security).code).toBe("forbidden");
      const denied = await call(c, "gatehouse_put", { path: "other/x", value: "x" });
      expect(jsonOf(denied).code).toBe("forbidden");
      expect((await t.req("GET", "/v1/secrets/other/x", { token: ROOT })).status).toBe(404);
    });

    test("tool output is scrubbed, except the value a get or lease exists to return", async () => {
      await call(c, "gatehouse_put", {
        path: "app/noted",
        value: FAKE_GITHUB,
        metadata: { note: `old ${FAKE_GITHUB}` },
      });
      const listed = textOf(await call(c, "gatehouse_list", { prefix: "app/noted" }));
      expect(listed).not.toContain(FAKE_GITHUB);
      expect(listed).toContain("[REDACTED");
      expect(textOf(await call(c, "gatehouse_get", { path: "app/noted" }))).toBe(FAKE_GITHUB);
      expect(jsonOf(await call(c, "gatehouse_lease", { path: "app/noted" })).value).toBe(FAKE_GITHUB);
      const scrubbed = jsonOf(await call(c, "gatehouse_scrub", { text: `token=${FAKE_GITHUB} ok` }));
      expect(scrubbed.redaction_count).toBe(1);
      expect(String(scrubbed.scrubbed)).not.toContain(FAKE_GITHUB);
      expect((await call(c, "gatehouse_scrub", {})).isError).toBe(true);
    });

    test("gatehouse_status: identity and policies come from the token", async () => {
      const r = jsonOf(await call(c, "gatehouse_status"));
      expect(r).toMatchObject({
        status: "ok",
        identity: agent.identity,
        policies: ["mcp-agent"],
        kind: "approle",
      });
      expect(typeof r.active_leases).toBe("number");
    });

    test("gatehouse_proxy injects (Bearer and basic:), scrubs the response and records patterns", async () => {
      const base = `http://api.mcp.test:${upstream.port}`;
      const r = await call(c, "gatehouse_proxy", {
        method: "GET",
        url: `${base}/repos/42`,
        headers: { "X-Trace": "mcp" },
        inject: { Authorization: "proxied/api" },
      });
      expect(r.isError, textOf(r)).toBeFalsy();
      const out = jsonOf(r);
      expect(out.status).toBe(200);
      expect(upstream.seen.at(-1)?.authorization).toBe(`Bearer ${CANARY}`);
      expect(textOf(r)).not.toContain(CANARY);
      expect(textOf(r)).not.toContain(FAKE_GITHUB);
      expect((out.body as Body).path).toBe("/repos/42");
      const basic = await call(c, "gatehouse_proxy", {
        method: "GET",
        url: `${base}/basic`,
        inject: { Authorization: "basic:proxied/basic" },
      });
      expect(basic.isError, textOf(basic)).toBeFalsy();
      const expected = `Basic ${Buffer.from(`robot:${CANARY}`).toString("base64")}`;
      expect(upstream.seen.at(-1)?.authorization).toBe(expected);
      expect(textOf(basic)).not.toContain(expected.slice(6));
      const patterns = jsonOf(await call(c, "gatehouse_patterns", { secret_path: "proxied/api" }));
      expect((patterns.patterns as Body[]).length).toBeGreaterThan(0);
      expect(JSON.stringify(patterns)).toContain("GET");
      // Denials: no proxy capability, and a domain outside allowed_domains.
      const noCap = await call(c, "gatehouse_proxy", {
        method: "GET",
        url: `${base}/x`,
        inject: { Authorization: "app/db" },
      });
      expect(jsonOf(noCap).code).toBe("forbidden");
      const elsewhere = await call(c, "gatehouse_proxy", {
        method: "GET",
        url: `http://elsewhere.test:${upstream.port}/`,
        inject: { Authorization: "proxied/api" },
      });
      expect(jsonOf(elsewhere).code).toBe("domain_not_allowed");
      expect(jsonOf(await call(c, "gatehouse_patterns", { secret_path: "other/secret" })).code).toBe(
        "forbidden",
      );
    });

    test("gatehouse_checkout: a dynamic credential (TTL clamped to max_ttl), revoked with gatehouse_revoke", async () => {
      const r = await call(c, "gatehouse_checkout", {
        path: "dyn/cache",
        ttl: 99_999,
        reason: "cache warmup",
      });
      expect(r.isError, textOf(r)).toBeFalsy();
      const out = jsonOf(r);
      expect(out).toMatchObject({ path: "dyn/cache", provider_type: "redis", ttl_seconds: 120 });
      const credential = out.credential as { username: string; password: string };
      expect(redis.users.has(credential.username)).toBe(true);
      // The credential is the tool's purpose: returned as created, not scrubbed.
      expect(credential.password).toMatch(/^[A-Za-z0-9]{32}$/);
      const revoked = jsonOf(await call(c, "gatehouse_revoke", { lease_id: out.lease_id }));
      expect(revoked).toEqual({ revoked: true, lease_id: out.lease_id });
      expect(redis.users.has(credential.username)).toBe(false);
      const denied = await call(c, "gatehouse_checkout", { path: "app/db" });
      expect(denied.isError).toBe(true);
      expect(jsonOf(denied).code).toBe("not_found"); // lease on app/** is allowed, but it is no dynamic secret
      const noCap = await call(c, "gatehouse_checkout", { path: "other/dyn" });
      expect(jsonOf(noCap).code).toBe("forbidden");
      expect(jsonOf(await call(c, "gatehouse_checkout", { path: "a//b" })).code).toBe("path_invalid");
    });

    test("approval: the call waits with progress notifications and returns the value once approved", async () => {
      const progress: Progress[] = [];
      const pending = call(c, "gatehouse_get", { path: "gated/one", reason: "rotate the db" }, (p) =>
        progress.push(p),
      );
      const id = await pendingFor("gated/one");
      const req = await t.req<Body>("GET", `/v1/requests/${id}`, { token: approver.token });
      expect(req.body.reason).toBe("rotate the db");
      for (let i = 0; i < 100 && progress.length === 0; i++) await Bun.sleep(10);
      expect(progress.length).toBeGreaterThan(0);
      expect(progress[0]?.message).toContain(id);
      expect(
        (await t.req("POST", `/v1/requests/${id}/approve`, { token: approver.token, body: {} })).status,
      ).toBe(200);
      const r = await pending;
      expect(r.isError).toBeFalsy();
      expect(textOf(r)).toBe(CANARY);
    });

    test("approval: after the wait the call answers pending; gatehouse_request_status collects the lease", async () => {
      const pending = call(c, "gatehouse_lease", { path: "gated/two", ttl: 9999 });
      const id = await pendingFor("gated/two");
      const asked = await t.req<Body>("GET", `/v1/requests/${id}`, { token: approver.token });
      expect(asked.body.requested_ttl).toBe(600);
      clock += 61_000;
      const r = jsonOf(await pending);
      expect(r).toMatchObject({ status: "pending", request_id: id });
      const still = jsonOf(await call(c, "gatehouse_request_status", { request_id: id }));
      expect(still.status).toBe("pending");
      expect(still.value).toBeUndefined();
      await t.req("POST", `/v1/requests/${id}/approve`, { token: approver.token, body: { ttl: 120 } });
      const done = await call(c, "gatehouse_request_status", { request_id: id, wait: 5 });
      const body = jsonOf(done);
      expect(body).toMatchObject({ status: "approved", value: CANARY, ttl_seconds: 120 });
      expect(String(body.lease_id)).toStartWith("lease-");
      const unknown = await call(c, "gatehouse_request_status", {
        request_id: "apr-00000000-0000-0000-0000-000000000000",
      });
      expect(jsonOf(unknown).code).toBe("not_found");
    });

    test("approval: request_status waits for the decision; a denial reaches the agent as a tool error", async () => {
      const pending = call(c, "gatehouse_get", { path: "gated/three" });
      const id = await pendingFor("gated/three");
      clock += 61_000;
      expect(jsonOf(await pending).status).toBe("pending");
      const waiting = call(c, "gatehouse_request_status", { request_id: id, wait: 30 });
      await Bun.sleep(30);
      await t.req("POST", `/v1/requests/${id}/deny`, {
        token: approver.token,
        body: { reason: "not today" },
      });
      expect(jsonOf(await waiting)).toMatchObject({ status: "denied", decision_reason: "not today" });
      const denied = call(c, "gatehouse_get", { path: "gated/four" });
      const id4 = await pendingFor("gated/four");
      await t.req("POST", `/v1/requests/${id4}/deny`, { token: approver.token, body: { reason: "freeze" } });
      const d = await denied;
      expect(d.isError).toBe(true);
      expect(textOf(d)).toContain("freeze");
      expect(textOf(d)).not.toContain(CANARY);
    });

    test("Gatehouse-style JSON clients work without an SSE Accept; foreign Origins are refused", async () => {
      const r = await t.req<{ result: { tools: unknown[] } }>("POST", "/v1/mcp", {
        token: agent.token,
        body: { jsonrpc: "2.0", id: 7, method: "tools/list" },
      });
      expect(r.status).toBe(200);
      expect(r.body.result.tools.length).toBe(TOOLS.length);
      const called = await t.req<{ result: CallToolResult }>("POST", "/v1/mcp", {
        token: agent.token,
        body: {
          jsonrpc: "2.0",
          id: 8,
          method: "tools/call",
          params: { name: "gatehouse_status", arguments: {} },
        },
      });
      expect(jsonOf(called.body.result).identity).toBe(agent.identity);
      const bad = await t.req<Body>("POST", "/v1/mcp", {
        token: agent.token,
        raw: "{not json",
        headers: { "content-type": "application/json" },
      });
      expect(bad.status).toBe(400);
      const foreign = await t.req<Body>("POST", "/v1/mcp", {
        token: agent.token,
        body: { jsonrpc: "2.0", id: 9, method: "tools/list" },
        headers: { origin: "https://evil.example" },
      });
      expect(foreign.status).toBe(403);
    });

    test("stateless: GET and DELETE /v1/mcp answer 405 (after authentication)", async () => {
      const get = await t.req<Body>("GET", "/v1/mcp", {
        token: agent.token,
        headers: { accept: "text/event-stream" },
      });
      expect(get.status).toBe(405);
      expect(get.headers.get("allow")).toBe("POST");
      expect((await t.req("DELETE", "/v1/mcp", { token: agent.token })).status).toBe(405);
      expect((await t.req("GET", "/v1/mcp")).status).toBe(401);
    });

    test("Gatehouse's SSE pair answers 410 with a pointer to Streamable HTTP", async () => {
      const sse = await t.req<Body>("GET", "/v1/mcp/sse", { token: agent.token });
      expect(sse.status).toBe(410);
      expect(sse.body.code).toBe("gone");
      expect(String(sse.body.error)).toContain("POST /v1/mcp");
      expect((await t.req("POST", "/v1/mcp/message?session=x", { body: {} })).status).toBe(410);
    });

    test("GET /v1/skill: markdown for the caller's policies, the MCP endpoint and the bridge", async () => {
      const r = await t.req("GET", "/v1/skill", { token: agent.token });
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toContain("text/markdown");
      expect(r.text).toContain(agent.identity);
      expect(r.text).toContain("`gated/**`");
      expect(r.text).toContain("a human approves each request; max 600 s");
      expect(r.text).toContain("http://localhost/v1/mcp");
      expect(r.text).toContain("claude mcp add --transport http gatehouse");
      expect(r.text).toContain("gatehouse mcp");
      expect(r.text).not.toContain(CANARY);
      expect((await t.req("GET", "/v1/skill")).status).toBe(401);
      const audited = (await auditRows(t)).filter(
        (x) => x.action === "skill.fetch" && x.identity === agent.identity,
      );
      expect(audited.length).toBe(1);
    });
  });
}
