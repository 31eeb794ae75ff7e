import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { domainAllowed, pathAllowed } from "../src/modules/proxy/checks";
import { checkLiteral, privatePolicy } from "../src/modules/proxy/net";
import { agentToken, createPolicy, userToken } from "./harness/agents";
import { CANARY, createTestApp, ENGINES, type TestApp } from "./harness/app";
import { startDns, startUpstream, type TestDns, testPki, type Upstream } from "./harness/upstream";

const ROOT = "root-token-for-proxy-tests-0123456789abcdef";
// A value whose URL-encoded, JSON-escaped and base64 forms all differ from it.
const SPECIAL = `${CANARY}/+ =?&"\\é`;
const USERPASS = `octo:${CANARY}`;

type Res = {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown> & { length?: number };
  suggestions?: unknown[];
  hint?: string;
  patterns_available?: number;
  code?: string;
  error?: string;
  field?: string;
  reason?: string;
  stage?: string;
  address_class?: string;
  request_id?: string;
};

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const forms = (v: string) => [
  v,
  b64(v),
  Buffer.from(v).toString("base64url"),
  encodeURIComponent(v),
  JSON.stringify(v).slice(1, -1),
];

const started = performance.now();

describe("proxy checks (pure)", () => {
  const strict = privatePolicy(false, [{}]);
  const open = privatePolicy(true, [{}]);
  test.each([
    "127.0.0.1",
    "2130706433",
    "017700000001",
    "0177.0.0.1",
    "0x7f.0.0.1",
    "0x7f000001",
    "127.1",
    "0x7f.1",
    "127.0.0.1.",
    "::ffff:127.0.0.1",
    "[::ffff:7f00:1]",
    "[::1]",
    "10.0.0.1",
    "012.0.0.1",
    "192.168.1.1",
    "172.16.0.1",
    "100.64.0.1",
    "[fd00::1]",
    "[fe80::1]",
    "169.254.169.254",
    "0251.0376.0251.0376",
    "2852039166",
    "[::ffff:169.254.169.254]",
    "localhost",
    "api.localhost",
    "localhost.",
  ])("with private networks blocked, %s is refused", (host) => {
    expect(() => checkLiteral(host, strict)).toThrow();
  });

  test("unspecified and multicast are never reachable; metadata only with an explicit allow_private=true", () => {
    for (const h of ["0.0.0.0", "0", "[::]", "224.0.0.1"]) expect(() => checkLiteral(h, open)).toThrow();
    expect(() => checkLiteral("169.254.169.254", open)).toThrow();
    expect(checkLiteral("169.254.169.254", privatePolicy(false, [{ allow_private: "true" }]))).not.toBeNull();
    expect(checkLiteral("127.0.0.1", open)).not.toBeNull();
    expect(checkLiteral("93.184.216.34", strict)).not.toBeNull();
    expect(checkLiteral("api.example.com", strict)).toBeNull();
  });

  test("per-secret allow_private overrides the default; several secrets: the strictest wins", () => {
    expect(privatePolicy(false, [{ allow_private: "true" }]).allowPrivate).toBe(true);
    expect(privatePolicy(true, [{ allow_private: "false" }]).allowPrivate).toBe(false);
    expect(privatePolicy(true, [{}, { allow_private: "false" }]).allowPrivate).toBe(false);
    expect(privatePolicy(false, [{ allow_private: "true" }, {}]).allowPrivate).toBe(false);
  });

  test("allowed_domains: exact or subdomain, *. for subdomains only, ports and IP spellings", () => {
    const u = (s: string) => new URL(s);
    expect(domainAllowed(u("https://api.github.com/x"), ["github.com"])).toBe(true);
    expect(domainAllowed(u("https://github.com/x"), ["github.com"])).toBe(true);
    expect(domainAllowed(u("https://github.com./x"), ["github.com"])).toBe(true);
    expect(domainAllowed(u("https://evilgithub.com/x"), ["github.com"])).toBe(false);
    expect(domainAllowed(u("https://github.com.evil.test/x"), ["github.com"])).toBe(false);
    expect(domainAllowed(u("https://github.com/x"), ["*.github.com"])).toBe(false);
    expect(domainAllowed(u("https://a.github.com/x"), ["*.github.com"])).toBe(true);
    expect(domainAllowed(u("https://a.github.com:8443/x"), ["github.com:443"])).toBe(false);
    expect(domainAllowed(u("https://a.github.com/x"), ["https://GitHub.com/"])).toBe(true);
    expect(domainAllowed(u("http://2130706433/x"), ["127.0.0.1"])).toBe(true);
    expect(domainAllowed(u("http://127.0.0.1/x"), ["0.0.1"])).toBe(false);
    expect(domainAllowed(u("http://[::ffff:127.0.0.1]/x"), ["[::ffff:7f00:1]"])).toBe(true);
    expect(domainAllowed(u("https://api.github.com/x"), [])).toBe(false);
  });

  test("allowed_path_prefixes are segment-aligned on the normalized path", () => {
    const ok = (p: string) => pathAllowed(new URL(`https://h.test${p}`), ["/repos/me"]);
    expect(ok("/repos/me")).toBe(true);
    expect(ok("/repos/me/")).toBe(true);
    expect(ok("/repos/me/x")).toBe(true);
    expect(ok("/repos/%6De/x")).toBe(true);
    expect(ok("/repos/meme")).toBe(false);
    expect(ok("/repos/me/../x")).toBe(false);
    expect(ok("/repos/me/%2e%2e/x")).toBe(false);
    expect(ok("/repos/me%2F..%2Fx")).toBe(false);
    expect(ok("/repos/me%2fx")).toBe(false);
    expect(ok("/repos/me%5Cx")).toBe(false);
    expect(ok("/repos")).toBe(false);
    expect(ok("/other")).toBe(false);
    expect(pathAllowed(new URL("https://h.test/anything"), ["/"])).toBe(true);
  });
});

for (const engine of ENGINES) {
  describe(`proxy on ${engine}`, () => {
    let t: TestApp;
    let strict: TestApp;
    let small: TestApp;
    let dns: TestDns;
    let api: Upstream;
    let plain: Upstream;
    let other: Upstream;
    let b: Upstream;
    let six: Upstream;
    let agent: { id: string; identity: string; token: string };
    let agent2: { token: string };
    let reader: { token: string };
    let approver: { token: string };
    let base: string;
    const root = { token: ROOT };

    const write = async (app: TestApp, path: string, value: string, metadata: Record<string, string>) => {
      const r = await app.req("POST", `/v1/secrets/${path}`, { token: ROOT, body: { value, metadata } });
      expect(r.status, r.text).toBe(201);
    };
    const proxy = (body: Record<string, unknown>, token = agent.token, app = t) =>
      app.req<Res>("POST", "/v1/proxy", { token, body });

    beforeAll(async () => {
      dns = await startDns();
      api = startUpstream();
      plain = startUpstream({ tls: false, name: "plain" });
      other = startUpstream({ name: "other" });
      // Same port as `api`, on another loopback address: which one answers shows where the connection went.
      b = startUpstream({ hostname: "127.0.0.2", port: api.port, name: "B" });
      six = startUpstream({ hostname: "::1", name: "six" });
      for (const n of ["api.gatehouse.test", "other.gatehouse.test", "evil.test", "api.mismatch.test"])
        dns.set(n, ["127.0.0.1"]);
      dns.set("loop.gatehouse.test", ["127.0.0.1"]);
      dns.set("mixed.gatehouse.test", ["93.184.216.34", "127.0.0.1"]);
      dns.set("v6.gatehouse.test", ["::1"]);
      dns.set("mapped.gatehouse.test", ["::ffff:127.0.0.1"]);
      dns.set("nat64.gatehouse.test", ["64:ff9b::a9fe:a9fe"]);
      base = `https://api.gatehouse.test:${api.port}`;
      const net = { resolve: dns.resolve, ca: testPki().ca };
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT }, { proxyNet: net });
      strict = await createTestApp(
        engine,
        { GATEHOUSE_ROOT_TOKEN: ROOT, GATEHOUSE_PROXY_ALLOW_PRIVATE: "false" },
        { proxyNet: net },
      );
      // Small caps and no test CA: the system roots alone must refuse the test certificate.
      small = await createTestApp(
        engine,
        { GATEHOUSE_ROOT_TOKEN: ROOT },
        { proxyNet: { resolve: dns.resolve, maxResponseBytes: 64 * 1024, maxRequestBytes: 4096 } },
      );
      for (const app of [t, strict, small]) {
        await createPolicy(app, ROOT, "px", [
          { paths: ["gh/**", "s/**"], capabilities: ["proxy"] },
          { paths: ["gated/**"], capabilities: ["proxy"], approval: { required: true, max_ttl: 600 } },
        ]);
        await createPolicy(app, ROOT, "ro", [{ paths: ["gh/**"], capabilities: ["read"] }]);
      }
      const d = "gatehouse.test";
      await write(t, "gh/token", CANARY, { allowed_domains: d });
      await write(t, "gh/scoped", CANARY, {
        allowed_domains: "api.gatehouse.test",
        allowed_path_prefixes: "/repos/me",
      });
      await write(t, "gh/none", CANARY, {});
      await write(t, "gh/body", SPECIAL, { allowed_domains: d, allow_body_injection: "true" });
      await write(t, "gh/special", SPECIAL, { allowed_domains: d });
      await write(t, "gh/userpass", USERPASS, { allowed_domains: d });
      await write(t, "gh/prefixed", `token ${CANARY}`, { allowed_domains: d });
      await write(t, "gh/apikey", CANARY, { allowed_domains: d, header_name: "X-Api-Key", auth_scheme: "" });
      await write(t, "gh/scheme", CANARY, { allowed_domains: d, auth_scheme: "token" });
      await write(t, "gh/noprivate", CANARY, { allowed_domains: `${d},127.0.0.1`, allow_private: "false" });
      await write(t, "gh/meta", CANARY, { allowed_domains: "169.254.169.254" });
      await write(t, "gh/wide", CANARY, { allowed_domains: `${d},evil.test,mismatch.test,127.0.0.1,[::1]` });
      await write(t, "gated/key", CANARY, { allowed_domains: d });
      agent = await agentToken(t, ["px"]);
      agent2 = await agentToken(t, ["px"]);
      reader = await agentToken(t, ["ro"]);
      approver = await userToken(t, "approver");
    });
    afterAll(async () => {
      for (const u of [api, plain, other, b, six]) u.stop();
      dns.stop();
      for (const app of [t, strict, small]) await app.close();
      console.log(`proxy suite (${engine}) done after ${Math.round(performance.now() - started)} ms`);
    });

    describe("injection", () => {
      test("{{secret:}} in the query and a header, inject with Bearer; TLS to the checked address by name", async () => {
        const r = await proxy({
          method: "GET",
          url: `${base}/echo?token={{secret:gh/token}}&page=2`,
          headers: { "X-Custom": "k={{secret:gh/token}}", Accept: "application/json" },
          inject: { Authorization: "gh/token" },
        });
        expect(r.status, r.text).toBe(200);
        expect(r.body.status).toBe(200);
        const got = api.last();
        expect(got.host).toBe(`api.gatehouse.test:${api.port}`);
        expect(got.query).toBe(`?token=${CANARY}&page=2`);
        expect(got.headers["x-custom"]).toBe(`k=${CANARY}`);
        expect(got.headers.authorization).toBe(`Bearer ${CANARY}`);
        // The upstream echoed the query back: redacted.
        expect(r.body.body).toMatchObject({ who: "upstream", query: { token: "[REDACTED]", page: "2" } });
        expect(r.text).not.toContain(CANARY);
        expect(r.body.headers["content-type"]).toContain("application/json");
      });

      test("{{secret:}} in the path is URL-encoded as one segment", async () => {
        const r = await proxy({ method: "GET", url: `${base}/users/{{secret:gh/special}}/x` });
        expect(r.status, r.text).toBe(200);
        expect(api.last().path).toBe(`/users/${encodeURIComponent(SPECIAL)}/x`);
        for (const f of forms(SPECIAL)) expect(r.text).not.toContain(f);
      });

      test("body injection: JSON bodies get JSON-escaped values, string bodies raw ones", async () => {
        const j = await proxy({
          method: "POST",
          url: `${base}/issues`,
          body: { title: "x", token: "{{secret:gh/body}}", n: 3 },
        });
        expect(j.status, j.text).toBe(200);
        const got = api.last();
        expect(got.headers["content-type"]).toBe("application/json");
        expect(JSON.parse(got.body)).toEqual({ title: "x", token: SPECIAL, n: 3 });
        const s = await proxy({
          method: "PUT",
          url: `${base}/form`,
          headers: { "Content-Type": "text/plain" },
          body: "key={{secret:gh/body}}",
        });
        expect(s.status).toBe(200);
        expect(api.last().body).toBe(`key=${SPECIAL}`);
        expect(s.text).not.toContain(CANARY);
      });

      test("a body reference needs allow_body_injection=true on that secret", async () => {
        const r = await proxy({ method: "POST", url: `${base}/issues`, body: { t: "{{secret:gh/token}}" } });
        expect(r.status).toBe(403);
        expect(r.body).toMatchObject({ code: "forbidden", reason: "body_injection_not_allowed" });
      });

      test("inject: basic:path sends Basic base64(user:pass) (a bare key as the user name); other headers raw", async () => {
        expect(
          (await proxy({ method: "GET", url: `${base}/b`, inject: { Authorization: "basic:gh/userpass" } }))
            .status,
        ).toBe(200);
        expect(api.last().headers.authorization).toBe(`Basic ${b64(USERPASS)}`);
        expect(
          (await proxy({ method: "GET", url: `${base}/b`, inject: { Authorization: "basic:gh/token" } }))
            .status,
        ).toBe(200);
        expect(api.last().headers.authorization).toBe(`Basic ${b64(`${CANARY}:`)}`);
        await proxy({ method: "GET", url: `${base}/b`, inject: { Authorization: "gh/prefixed" } });
        expect(api.last().headers.authorization).toBe(`token ${CANARY}`);
        await proxy({ method: "GET", url: `${base}/b`, inject: { "X-Token": "gh/token" } });
        expect(api.last().headers["x-token"]).toBe(CANARY);
        const bad = await proxy({
          method: "GET",
          url: `${base}/b`,
          inject: { Authorization: "basic:/nope" },
        });
        expect(bad.status).toBe(400);
      });

      test("auto_inject uses header_name and auth_scheme from the metadata (Bearer on Authorization by default)", async () => {
        await proxy({ method: "GET", url: `${base}/a`, auto_inject: ["gh/apikey"] });
        expect(api.last().headers["x-api-key"]).toBe(CANARY);
        await proxy({ method: "GET", url: `${base}/a`, auto_inject: ["gh/scheme"] });
        expect(api.last().headers.authorization).toBe(`token ${CANARY}`);
        const r = await proxy({ method: "GET", url: `${base}/a`, auto_inject: ["gh/token"] });
        expect(r.status).toBe(200);
        expect(api.last().headers.authorization).toBe(`Bearer ${CANARY}`);
      });

      test("every method; HEAD has an empty body; others are refused", async () => {
        for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "get"]) {
          const r = await proxy({ method, url: `${base}/m`, inject: { Authorization: "gh/token" } });
          expect(r.status, `${method}: ${r.text}`).toBe(200);
          expect(api.last().method).toBe(method.toUpperCase());
          if (method === "HEAD") expect(r.body.body as unknown).toBe("");
        }
        const trace = await proxy({
          method: "TRACE",
          url: `${base}/m`,
          inject: { Authorization: "gh/token" },
        });
        expect(trace.status).toBe(400);
        expect(trace.body.field).toBe("method");
        const getBody = await proxy({
          method: "GET",
          url: `${base}/m`,
          body: "x",
          inject: { A: "gh/token" },
        });
        expect(getBody.status).toBe(400);
      });

      test("malformed requests: no secret, broken reference, reference in scheme or host, userinfo, bad paths", async () => {
        const cases: [Record<string, unknown>, number, string][] = [
          [{ method: "GET", url: `${base}/x` }, 400, "invalid_request"],
          [{ method: "GET", url: `${base}/{{secret:gh/token` }, 400, "invalid_request"],
          [{ method: "GET", url: `${base}/{{ secret:gh/token }}` }, 400, "invalid_request"],
          [{ method: "GET", url: `https://{{secret:gh/token}}.gatehouse.test/` }, 400, "invalid_request"],
          [{ method: "GET", url: `https://api.gatehouse.test:{{secret:gh/token}}/` }, 400, "invalid_request"],
          [{ method: "GET", url: `{{secret:gh/token}}://api.gatehouse.test/` }, 400, "invalid_request"],
          [
            { method: "GET", url: `https://u:p@api.gatehouse.test/{{secret:gh/token}}` },
            400,
            "invalid_request",
          ],
          [{ method: "GET", url: `${base}/{{secret:../etc}}` }, 400, "path_invalid"],
          [{ method: "GET", url: "not a url {{secret:gh/token}}" }, 400, "invalid_request"],
          [
            { method: "GET", url: `${base}/x`, headers: { "Bad Header": "{{secret:gh/token}}" } },
            400,
            "invalid_request",
          ],
        ];
        for (const [body, status, code] of cases) {
          const r = await proxy(body);
          expect(r.status, JSON.stringify(body)).toBe(status);
          expect(r.body.code).toBe(code);
        }
      });

      test("a header value with a line break is refused, never sent", async () => {
        const r = await proxy({
          method: "GET",
          url: `${base}/x`,
          headers: { A: "x\r\nB: {{secret:gh/token}}" },
        });
        expect(r.status).toBe(400);
      });
    });

    describe("checks in order, fail closed", () => {
      test("1. the proxy capability on every referenced secret (before anything else)", async () => {
        const r = await proxy({ method: "GET", url: "ftp://x/{{secret:gh/token}}" }, reader.token);
        expect(r.status).toBe(403);
        expect(r.body.code).toBe("forbidden");
        const mixed = await proxy({
          method: "GET",
          url: `${base}/{{secret:gh/token}}`,
          inject: { Authorization: "other/secret" },
        });
        expect(mixed.status).toBe(403);
        const missing = await proxy({
          method: "GET",
          url: `${base}/x`,
          inject: { Authorization: "gh/missing" },
        });
        expect(missing.status).toBe(404);
      });

      test("2. http and https only, before the domain checks", async () => {
        for (const scheme of ["ftp", "file", "gopher", "ws"]) {
          const r = await proxy({ method: "GET", url: `${scheme}://evil.test/{{secret:gh/none}}` });
          expect(r.status).toBe(400);
          expect(r.body.code).toBe("invalid_request");
        }
      });

      test("3. allowed_domains: none set is proxy_domains_unset; another domain is domain_not_allowed", async () => {
        const unset = await proxy({ method: "GET", url: `${base}/repos/meme`, inject: { A: "gh/none" } });
        expect(unset.status).toBe(403);
        expect(unset.body.code).toBe("proxy_domains_unset");
        const r = await proxy({
          method: "GET",
          url: `https://evil.test:${api.port}/repos/meme`,
          inject: { A: "gh/scoped" },
        });
        expect(r.status).toBe(403);
        expect(r.body.code).toBe("domain_not_allowed");
        const sub = await proxy({
          method: "GET",
          url: `https://other.gatehouse.test:${other.port}/x`,
          inject: { A: "gh/token" },
        });
        expect(sub.status).toBe(200);
        expect(other.last().host).toBe(`other.gatehouse.test:${other.port}`);
        // Several secrets: each must allow the host.
        const both = await proxy({
          method: "GET",
          url: `https://other.gatehouse.test:${other.port}/x`,
          inject: { A: "gh/token", B: "gh/scoped" },
        });
        expect(both.body.code).toBe("domain_not_allowed");
        expect(api.received.some((x) => x.path === "/repos/meme")).toBe(false);
      });

      test("4. allowed_path_prefixes: /repos/me vs /repos/meme vs /repos/me/../x and encoded slashes", async () => {
        const call = (p: string) =>
          proxy({ method: "GET", url: `${base}${p}`, inject: { Authorization: "gh/scoped" } });
        for (const p of ["/repos/me", "/repos/me/x", "/repos/me/issues?state=open"]) {
          const r = await call(p);
          expect(r.status, p).toBe(200);
        }
        for (const p of [
          "/repos/meme",
          "/repos/me/../x",
          "/repos/me/%2e%2e/x",
          "/repos/me%2F..%2Fx",
          "/repos/me%2fx",
          "/x",
        ]) {
          const r = await call(p);
          expect(r.status, p).toBe(403);
          expect(r.body.code, p).toBe("path_not_allowed");
        }
        // The check is on the final URL: a value that is a dot segment cannot climb out.
        const seen = api.received.length;
        const r = await proxy({ method: "GET", url: `${base}/repos/me/{{secret:gh/scoped}}/x` });
        expect(r.status).toBe(200);
        expect(api.received.length).toBe(seen + 1);
      });

      test("5. SSRF on literal addresses before approval; 6. approval before resolution", async () => {
        const meta = await proxy({
          method: "GET",
          url: "http://169.254.169.254/latest/meta-data/",
          inject: { A: "gh/meta" },
        });
        expect(meta.status).toBe(403);
        expect(meta.body).toMatchObject({
          code: "ssrf_blocked",
          address_class: "metadata",
          stage: "literal",
        });
        const lit = await proxy({
          method: "GET",
          url: `https://127.0.0.1:${api.port}/x`,
          inject: { A: "gh/noprivate" },
        });
        expect(lit.body).toMatchObject({ code: "ssrf_blocked", stage: "literal", address_class: "loopback" });
        const named = await proxy({ method: "GET", url: `${base}/x`, inject: { A: "gh/noprivate" } });
        expect(named.body).toMatchObject({
          code: "ssrf_blocked",
          stage: "resolved",
          address_class: "loopback",
        });
      });

      test("private networks are allowed by default: a literal loopback address and IPv6 loopback by name", async () => {
        const r = await proxy({
          method: "GET",
          url: `https://127.0.0.1:${api.port}/lit`,
          inject: { A: "gh/wide" },
        });
        expect(r.status, r.text).toBe(200);
        expect(api.last().host).toBe(`127.0.0.1:${api.port}`);
      });
    });

    describe("connect-time checks", () => {
      test("the name is resolved once per call and the connection goes to the address that was checked", async () => {
        let n = 0;
        const answers = ["127.0.0.2", "127.0.0.1"];
        dns.set("rebind.gatehouse.test", () => [answers[n++ % 2] as string]);
        const url = `https://rebind.gatehouse.test:${api.port}/who`;
        const before = dns.queries("rebind.gatehouse.test");
        const first = await proxy({ method: "GET", url, inject: { A: "gh/token" } });
        expect(first.status, first.text).toBe(200);
        expect(first.body.body).toMatchObject({ who: "B" });
        expect(dns.queries("rebind.gatehouse.test")).toBe(before + 1);
        const second = await proxy({ method: "GET", url, inject: { A: "gh/token" } });
        expect(second.body.body).toMatchObject({ who: "upstream" });
        expect(dns.queries("rebind.gatehouse.test")).toBe(before + 2);
      });

      test("rebinding to a blocked address: each call checks what it resolved", async () => {
        let n = 0;
        dns.set("flip.gatehouse.test", () => [n++ === 0 ? "127.0.0.1" : "169.254.169.254"]);
        const url = `https://flip.gatehouse.test:${api.port}/flip`;
        const ok = await proxy({ method: "GET", url, inject: { A: "gh/token" } });
        expect(ok.status, ok.text).toBe(200);
        const seen = api.received.length;
        const blocked = await proxy({ method: "GET", url, inject: { A: "gh/token" } });
        expect(blocked.status).toBe(403);
        expect(blocked.body).toMatchObject({
          code: "ssrf_blocked",
          stage: "resolved",
          address_class: "metadata",
        });
        expect(api.received.length).toBe(seen);
      });

      test("upstream failures are 502 with a code only (refused, unresolvable, wrong certificate name); IPv6 by literal and by name", async () => {
        const refused = await proxy({ method: "GET", url: "http://127.0.0.1:1/{{secret:gh/wide}}" });
        expect(refused.status).toBe(502);
        expect(refused.body).toMatchObject({ code: "upstream_failed" });
        expect(refused.text).not.toContain(CANARY);
        const nx = await proxy({
          method: "GET",
          url: "https://nx.gatehouse.test/x",
          inject: { A: "gh/token" },
        });
        expect(nx.status).toBe(502);
        expect(nx.body.code).toBe("upstream_failed");
        const tls = await proxy({
          method: "GET",
          url: `https://api.mismatch.test:${api.port}/x?k={{secret:gh/wide}}`,
        });
        expect(tls.status).toBe(502);
        expect(tls.body.reason).toMatch(/CERT|TLS/);
        expect(tls.text).not.toContain(CANARY);
        const v6 = await proxy({
          method: "GET",
          url: `https://[::1]:${six.port}/x`,
          inject: { A: "gh/wide" },
        });
        expect(v6.status, v6.text).toBe(200);
        expect(v6.body.body).toMatchObject({ who: "six" });
        const named = await proxy({
          method: "GET",
          url: `https://v6.gatehouse.test:${six.port}/x`,
          inject: { A: "gh/token" },
        });
        expect(named.status, named.text).toBe(200);
        expect(six.last().host).toBe(`v6.gatehouse.test:${six.port}`);
      });
    });

    describe("responses", () => {
      test("redirects are returned, not followed; the location is scrubbed", async () => {
        const target = `https://other.gatehouse.test:${other.port}/hit?token=`;
        const seen = other.received.length;
        const r = await proxy({
          method: "GET",
          url: `${base}/redirect?to=${encodeURIComponent(target)}{{secret:gh/token}}`,
        });
        expect(r.status).toBe(200);
        expect(r.body.status).toBe(302);
        expect(r.body.headers.location).toBe(`${target}[REDACTED]`);
        expect(r.body.hint).toContain("not followed");
        expect(other.received.length).toBe(seen);
        const priv = await proxy({
          method: "GET",
          url: `${base}/redirect?to=${encodeURIComponent("http://169.254.169.254/latest/meta-data/")}`,
          inject: { A: "gh/token" },
        });
        expect(priv.body.status).toBe(302);
        expect(priv.body.headers.location).toBe("http://169.254.169.254/latest/meta-data/");
      });

      test("an upstream echoing the credential (raw, base64, base64url, URL-encoded, JSON-escaped) is redacted in body and headers", async () => {
        for (const [path, value] of [
          ["gh/special", SPECIAL],
          ["gh/token", CANARY],
        ] as const) {
          const r = await proxy({ method: "GET", url: `${base}/leak`, inject: { Authorization: path } });
          expect(r.status).toBe(200);
          for (const f of forms(value)) expect(r.text).not.toContain(f);
          expect(r.text).not.toContain(b64(`Bearer ${value}`).slice(0, 24));
          const body = r.body.body as unknown as Record<string, string>;
          expect(body.raw).toBe("[REDACTED]");
          expect(body.base64).toBe("[REDACTED]");
          expect(body.wrapped).toContain("[REDACTED]");
          expect(r.body.headers["x-request-id"]).toBe("[REDACTED]");
          expect(r.body.headers.link).toContain("[REDACTED]");
          expect(r.body.headers["www-authenticate"]).toContain("[REDACTED]");
          // Only allowed headers come back.
          expect(r.body.headers["x-secret-echo"]).toBeUndefined();
          expect(r.body.headers["set-cookie"]).toBeUndefined();
        }
      });

      test("compressed bodies are decoded before scrubbing; an encoding that cannot be decoded is refused", async () => {
        const r = await proxy({
          method: "GET",
          url: `${base}/gzip-leak`,
          headers: { "Accept-Encoding": "identity" },
          inject: { Authorization: "gh/special" },
        });
        expect(r.status, r.text).toBe(200);
        expect(r.body.body).toEqual({ raw: "[REDACTED]", base64: "[REDACTED]" });
        expect(api.last().headers["accept-encoding"]).not.toBe("identity");
        for (const e of ["compress", "gzip, br", "x-custom"]) {
          const odd = await proxy({
            method: "GET",
            url: `${base}/encoded?e=${encodeURIComponent(e)}`,
            inject: { A: "gh/token" },
          });
          expect(odd.status, e).toBe(502);
          expect(odd.body.reason).toBe("unsupported_content_encoding");
        }
        // The cap counts decoded bytes: a small gzip body expanding past 10 MiB is refused.
        const bomb = await proxy({
          method: "GET",
          url: `${base}/bomb?n=${12 * 1024 * 1024}`,
          inject: { A: "gh/token" },
        });
        expect(bomb.status).toBe(502);
        expect(bomb.body.reason).toBe("response_too_large");
      });

      test("the credential scrubber runs after the known values: other credentials are redacted too", async () => {
        const gh = `ghp_${"a1B2c3D4e5".repeat(3)}abcdef`;
        const r = await proxy({
          method: "POST",
          url: `${base}/echo`,
          inject: { A: "gh/token" },
          body: { leaked: gh },
        });
        expect(r.status).toBe(200);
        expect(r.text).not.toContain(gh);
      });

      test("upstream error statuses come back with a hint", async () => {
        const r = await proxy({ method: "GET", url: `${base}/status/401`, inject: { A: "gh/token" } });
        expect(r.status).toBe(200);
        expect(r.body.status).toBe(401);
        expect(r.body.hint).toContain("credential");
        expect(Array.isArray(r.body.suggestions)).toBe(true);
        expect(typeof r.body.patterns_available).toBe("number");
      });

      test("response size cap: content-length over the cap and a chunked body crossing it are clean 502s", async () => {
        const cl = await proxy({
          method: "GET",
          url: `${base}/big?n=${11 * 1024 * 1024}&cl=1`,
          inject: { A: "gh/token" },
        });
        expect(cl.status).toBe(502);
        expect(cl.body).toMatchObject({ code: "upstream_failed", reason: "response_too_large" });
        await write(small, "gh/small", CANARY, { allowed_domains: "127.0.0.1,gatehouse.test" });
        const sAgent = await agentToken(small, ["px"]);
        const url = (n: number) => `http://127.0.0.1:${plain.port}/big?n=${n}`;
        const chunked = await proxy(
          { method: "GET", url: url(256 * 1024), inject: { A: "gh/small" } },
          sAgent.token,
          small,
        );
        expect(chunked.status).toBe(502);
        expect(chunked.body.reason).toBe("response_too_large");
        const fits = await proxy(
          { method: "GET", url: url(1000), inject: { A: "gh/small" } },
          sAgent.token,
          small,
        );
        expect(fits.status).toBe(200);
        expect(fits.body.body.length).toBe(1000);
        // Request cap, after injection.
        const big = await proxy(
          { method: "POST", url: url(1), inject: { A: "gh/small" }, body: "y".repeat(5000) },
          sAgent.token,
          small,
        );
        expect(big.status).toBe(413);
        // Certificate verification stays on: without the test CA the upstream is refused.
        const tls = await proxy(
          { method: "GET", url: `${base}/x`, inject: { A: "gh/small" } },
          sAgent.token,
          small,
        );
        expect(tls.status).toBe(502);
        expect(tls.body.reason).toMatch(/CERT|TLS|VERIFY|SIGNATURE/);
      });

      test("timeout: validated (1000-120000 ms), and a slow upstream is a 504 (headers or body)", async () => {
        for (const timeout of [0, 999, 120_001, 1.5, "30"]) {
          const r = await proxy({ method: "GET", url: `${base}/slow`, inject: { A: "gh/token" }, timeout });
          expect(r.status, String(timeout)).toBe(400);
          expect(r.body.field).toBe("timeout");
        }
        const slow = await proxy({
          method: "GET",
          url: `${base}/slow?ms=2500`,
          inject: { A: "gh/token" },
          timeout: 1000,
        });
        expect(slow.status).toBe(504);
        expect(slow.body.code).toBe("upstream_timeout");
        // A resolver that never answers is bounded by the same timeout.
        dns.blackhole("hang.gatehouse.test");
        const t0 = performance.now();
        const hang = await proxy({
          method: "GET",
          url: "https://hang.gatehouse.test/x",
          inject: { A: "gh/token" },
          timeout: 1000,
        });
        expect(hang.status).toBe(504);
        expect(performance.now() - t0).toBeLessThan(3000);
        const trickle = await proxy({
          method: "GET",
          url: `${base}/trickle?ms=2500`,
          inject: { A: "gh/token" },
          timeout: 1000,
        });
        expect(trickle.status).toBe(504);
      });
    });

    describe("approval", () => {
      test("a proxy call needing approval is 202; once approved, a grant lets the agent re-send it", async () => {
        const call = {
          method: "GET",
          url: `${base}/gated`,
          inject: { Authorization: "gated/key" },
          reason: "sync issues",
        };
        const seen = api.received.length;
        const p = await proxy(call);
        expect(p.status).toBe(202);
        expect(p.body).toMatchObject({ status: "pending" });
        expect(api.received.length).toBe(seen);
        const again = await proxy(call);
        expect(again.body.request_id).toBe(p.body.request_id);
        const req = await t.req<Record<string, unknown>>("GET", `/v1/requests/${p.body.request_id}`, {
          token: approver.token,
        });
        expect(req.body).toMatchObject({
          kind: "proxy",
          capability: "proxy",
          path: "gated/key",
          reason: "sync issues",
        });
        expect(req.body.details).toEqual({ method: "GET", host: `api.gatehouse.test:${api.port}` });
        const ok = await t.req("POST", `/v1/requests/${p.body.request_id}/approve`, {
          token: approver.token,
          body: { ttl: 60 },
        });
        expect(ok.status, ok.text).toBe(200);
        const done = await proxy(call);
        expect(done.status, done.text).toBe(200);
        expect(api.last().headers.authorization).toBe(`Bearer ${CANARY}`);
        // The grant is for that identity only.
        expect((await proxy(call, agent2.token)).status).toBe(202);
      });
    });

    describe("private networks blocked (GATEHOUSE_PROXY_ALLOW_PRIVATE=false)", () => {
      let sAgent: { token: string };
      const hosts = [
        "127.0.0.1",
        "2130706433",
        "017700000001",
        "0177.0.0.1",
        "0x7f.0.0.1",
        "0x7f000001",
        "127.1",
        "127.0.0.1.",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[::1]",
        "10.0.0.1",
        "192.168.0.10",
        "[fd00::1]",
        "169.254.169.254",
        "0251.0376.0251.0376",
        "0.0.0.0",
      ];
      beforeAll(async () => {
        await write(strict, "s/key", CANARY, {
          allowed_domains: [
            "127.0.0.1",
            "10.0.0.1",
            "192.168.0.10",
            "169.254.169.254",
            "0.0.0.0",
            "[::1]",
            "[fd00::1]",
            "[::ffff:127.0.0.1]",
            "gatehouse.test",
            "localhost",
          ].join(","),
        });
        await write(strict, "s/open", CANARY, {
          allowed_domains: "127.0.0.1,gatehouse.test",
          allow_private: "true",
        });
        await write(strict, "s/prefixed", CANARY, {
          allowed_domains: "127.0.0.1",
          allowed_path_prefixes: "/ok",
        });
        await write(strict, "gated/strict", CANARY, { allowed_domains: "127.0.0.1,gatehouse.test" });
        sAgent = await agentToken(strict, ["px"]);
      });
      const call = (url: string, secret = "s/key") =>
        proxy({ method: "GET", url, inject: { A: secret } }, sAgent.token, strict);

      test("every encoding of a private, loopback, metadata or unspecified literal is blocked", async () => {
        for (const h of hosts) {
          const r = await call(`http://${h}:${plain.port}/x`);
          expect(r.status, `${h}: ${r.text}`).toBe(403);
          expect(r.body.code, h).toBe("ssrf_blocked");
        }
        const loc = await call(`http://localhost:${plain.port}/x`);
        expect(loc.body.code).toBe("ssrf_blocked");
        expect(plain.received.filter((x) => x.path === "/x").length).toBe(0);
      });

      test("a name resolving to loopback is blocked on the resolved address, as is a name with any private address", async () => {
        for (const name of [
          "mapped.gatehouse.test",
          "nat64.gatehouse.test",
          "loop.gatehouse.test",
          "mixed.gatehouse.test",
          "v6.gatehouse.test",
          "loop.gatehouse.test.",
        ]) {
          const r = await call(`https://${name}:${api.port}/x`);
          expect(r.status, name).toBe(403);
          expect(r.body).toMatchObject({ code: "ssrf_blocked", stage: "resolved" });
        }
      });

      test("a secret with allow_private=true may reach loopback, by literal and by name", async () => {
        const lit = await call(`http://127.0.0.1:${plain.port}/open`, "s/open");
        expect(lit.status, lit.text).toBe(200);
        const named = await call(`https://api.gatehouse.test:${api.port}/open`, "s/open");
        expect(named.status, named.text).toBe(200);
        // Together with a secret that does not opt in, the stricter rule wins.
        const both = await proxy(
          { method: "GET", url: `http://127.0.0.1:${plain.port}/open`, inject: { A: "s/open", B: "s/key" } },
          sAgent.token,
          strict,
        );
        expect(both.body.code).toBe("ssrf_blocked");
      });

      test("order: path prefix before SSRF; SSRF on a literal before approval; approval before resolution", async () => {
        expect((await call(`http://127.0.0.1:${plain.port}/bad`, "s/prefixed")).body.code).toBe(
          "path_not_allowed",
        );
        expect((await call(`http://127.0.0.1:${plain.port}/ok`, "s/prefixed")).body.code).toBe(
          "ssrf_blocked",
        );
        const lit = await call(`http://127.0.0.1:${plain.port}/x`, "gated/strict");
        expect(lit.body.code).toBe("ssrf_blocked");
        const pending = await strict.req<{ requests: unknown[] }>("GET", "/v1/requests?status=pending", root);
        expect(pending.body.requests.length).toBe(0);
        const named = await call(`https://loop.gatehouse.test:${api.port}/x`, "gated/strict");
        expect(named.status).toBe(202);
      });
    });

    test("audit: proxy.forward with method, host, path template, status and duration; denials audited; no value anywhere", async () => {
      const r = await proxy({
        method: "GET",
        url: `${base}/repos/42/issues?token={{secret:gh/token}}`,
        inject: { A: "gh/token" },
      });
      expect(r.status).toBe(200);
      const rows = (await t.ctx.store.db.select().from(t.ctx.store.t.auditLog)).sort((a, b) => a.seq - b.seq);
      const fwd = rows.filter((a) => a.action === "proxy.forward" && a.success);
      const last = fwd[fwd.length - 1];
      expect(last?.path).toBe("gh/token");
      const m = JSON.parse(last?.metadata ?? "{}");
      expect(m).toMatchObject({
        method: "GET",
        host: `api.gatehouse.test:${api.port}`,
        path: "/repos/:num/issues",
        status: 200,
      });
      expect(typeof m.duration_ms).toBe("number");
      expect(rows.some((a) => a.action === "proxy.forward" && a.outcome === "denied")).toBe(true);
      const all = JSON.stringify(rows) + t.logs.join("\n");
      for (const f of [...forms(CANARY), ...forms(SPECIAL)]) expect(all).not.toContain(f);
    });
  });
}
