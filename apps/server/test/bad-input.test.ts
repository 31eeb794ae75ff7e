// Bad-input table (issue 15): every route of the app, enumerated from the app itself so new routes are
// covered automatically, gets malformed requests: wrong JSON types for each body field, missing
// required fields, bodies that are not JSON, invalid UTF-8, deep nesting, oversized bodies, path
// traversal in path parameters, absurd query values and header injection. All requests carry
// the root token (or an admin user's token on /v1/me*), so authentication is not what refuses them.
//
// Two classes of case:
// - "4xx": the request breaks the route's contract. It must answer 4xx with the error envelope
//   {error, code, request_id}, a code from the closed set whose status is the one answered, and it
//   must change nothing: no table (except audit_log, rate_limits, sessions) differs afterwards and
//   every audit entry it left is a failure.
// - "no5xx": the input is odd but may be legal (an unknown query parameter, a deep JSON value in a
//   free-form field). Any status below 500; a 4xx still needs the envelope. Run after every "4xx"
//   case, since they may legitimately write.
//
// What the app never sees: header values with CR, LF or NUL, and bodies over the size limit, are
// refused by Bun's HTTP parser (400 / 413, no body) before any handler runs, so only the status is
// checked for those raw-socket cases. A request line with a bare space gets 505 from Bun's parser;
// that is Bun's answer to a broken request line, not a route's, and is not part of this table.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { ERROR_STATUS } from "@gatehouse/core";
import { getTableName, is, Table } from "drizzle-orm";
import { type HttpFixture, startHttpFixture } from "./fixtures/mcp-http-server";
import { agentToken, createPolicy, userToken } from "./harness/agents";
import { CANARY, createTestApp, ENGINES, recordHit, type TestApp } from "./harness/app";
import { appRoutes, type RouteDef } from "./meta/routes";

const ROOT = "root-token-for-bad-input-tests-0123456789abcdef";
const MAX_BODY = 64 * 1024;
const started = performance.now();

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  const?: unknown;
  minLength?: number;
  minimum?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
};
type Expectation = "4xx" | "no5xx";

interface Case {
  route: RouteDef;
  name: string;
  expect: Expectation;
  method: string;
  /** Path and query, already encoded as it goes on the wire. */
  target: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  /** Sent over a raw socket, byte for byte (what fetch would refuse or rewrite). */
  raw?: Uint8Array;
  /** Status the raw case must get from Bun's parser (the app never answers those). */
  rawStatus?: number;
  /** Sent with app.handle (no socket): headers fetch would not send, e.g. a false Content-Length. */
  viaHandle?: boolean;
}

interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

const ERROR_CODES = new Set(Object.keys(ERROR_STATUS));
// Protocols with an error format of their own: JSON-RPC on the MCP endpoint (the SDK answers -32700
// and friends, with a 4xx status), the SPA's HTML fallback, and the OIDC browser redirects.
const OWN_ERROR_FORMAT = (path: string) => path === "/v1/mcp" || path === "/*";

// ---------------------------------------------------------------------------------------------
// Values for each JSON type, and a check of a value against a (TypeBox) schema's declared types.

const DEEP = 10_000;
const deepArray = () => `${"[".repeat(DEEP)}1${"]".repeat(DEEP)}`;
const deepObject = () => `${'{"a":'.repeat(DEEP)}1${"}".repeat(DEEP)}`;
const SAMPLES: [string, Json][] = [
  ["number", 12345],
  ["float", 1.5],
  ["negative", -1],
  ["string", "str"],
  ["boolean", true],
  ["null", null],
  ["array", ["a", 1]],
  ["empty array", []],
  ["object", { a: { b: [] } }],
  ["empty object", {}],
];

/** Does `v` have the JSON types `s` declares? Constraints (lengths, ranges, patterns) are not checked. */
function typeFits(s: Schema | undefined, v: unknown, depth = 0): boolean {
  if (!s || depth > 20) return true;
  if (s.anyOf) return s.anyOf.some((b) => typeFits(b, v, depth + 1));
  if (s.const !== undefined) return v === s.const;
  switch (s.type) {
    case undefined:
      return true;
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    case "null":
      return v === null;
    case "array":
      return Array.isArray(v) && v.every((x) => typeFits(s.items, x, depth + 1));
    case "object": {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
      const o = v as Record<string, unknown>;
      for (const [k, x] of Object.entries(o)) {
        const declared = s.properties?.[k] ?? Object.values(s.patternProperties ?? {})[0];
        if (!typeFits(declared, x, depth + 1)) return false;
      }
      return true;
    }
    default:
      return true;
  }
}

/** A plausible valid value for a schema (overridden per route where the meaning matters). */
function sample(s: Schema | undefined, depth = 0): Json | undefined {
  if (!s || depth > 6) return undefined;
  if (s.anyOf) {
    const pick =
      s.anyOf.find((b) => b.const !== undefined) ??
      s.anyOf.find((b) => b.type === "integer" || b.type === "number") ??
      s.anyOf.find((b) => b.type !== "null");
    return sample(pick, depth + 1);
  }
  if (s.const !== undefined) return s.const as Json;
  switch (s.type) {
    case "string":
      return "fz".padEnd(Math.max(2, s.minLength ?? 0), "z");
    case "integer":
    case "number":
      return Math.max(1, s.minimum ?? 1);
    case "boolean":
      return false;
    case "array":
      return Array.from({ length: s.minItems ?? 0 }, () => sample(s.items, depth + 1) ?? "fz");
    case "object": {
      const out: Record<string, Json> = {};
      for (const k of s.required ?? []) {
        const v = sample(s.properties?.[k], depth + 1);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP/1.1 over a socket (Connection: close), for what fetch refuses or normalises.

function rawHttp(port: number, bytes: Uint8Array): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(port, "127.0.0.1");
    s.setTimeout(15_000, () => {
      s.destroy();
      reject(new Error("raw request timed out"));
    });
    s.on("data", (d: Buffer) => chunks.push(d));
    s.on("error", (e) => {
      // The server may close right after a 4xx while we are still writing a large body.
      if (chunks.length) finish();
      else reject(e);
    });
    s.on("end", finish);
    s.on("close", finish);
    let done = false;
    function finish() {
      if (done) return;
      done = true;
      const all = Buffer.concat(chunks);
      const split = all.indexOf("\r\n\r\n");
      const head = all.subarray(0, split < 0 ? all.length : split).toString("latin1");
      let body = split < 0 ? Buffer.alloc(0) : all.subarray(split + 4);
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers = new Headers();
      for (const l of lines) {
        const i = l.indexOf(":");
        if (i > 0) headers.append(l.slice(0, i).trim(), l.slice(i + 1).trim());
      }
      if (headers.get("transfer-encoding")?.includes("chunked")) {
        const out: Buffer[] = [];
        let at = 0;
        for (;;) {
          const eol = body.indexOf("\r\n", at);
          if (eol < 0) break;
          const size = Number.parseInt(body.subarray(at, eol).toString(), 16);
          if (!size) break;
          out.push(body.subarray(eol + 2, eol + 2 + size));
          at = eol + 2 + size + 2;
        }
        body = Buffer.concat(out);
      }
      resolve({ status: Number(statusLine.split(" ")[1] ?? 0), text: body.toString("utf8"), headers });
    }
    s.write(bytes);
  });
}

const enc = new TextEncoder();
const concat = (...parts: (string | Uint8Array)[]): Uint8Array<ArrayBuffer> =>
  new Uint8Array(
    Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p)))),
  );

function rawRequest(
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: Uint8Array | string,
) {
  const b = body === undefined ? undefined : typeof body === "string" ? enc.encode(body) : body;
  const lines = [`${method} ${target} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close"];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (b !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === "content-length"))
    lines.push(`Content-Length: ${b.length}`);
  return concat(`${lines.join("\r\n")}\r\n\r\n`, b ?? new Uint8Array());
}

// ---------------------------------------------------------------------------------------------

for (const engine of ENGINES) {
  describe(`bad input on every route (${engine})`, () => {
    let t: TestApp;
    let port = 0;
    let routes: RouteDef[] = [];
    let userJwt = "";
    let upstream: ReturnType<typeof Bun.serve> | undefined;
    let mcpUpstream: HttpFixture | undefined;
    // Real objects the path parameters point at, so a request reaches the code behind the lookup.
    const fx: Record<string, string> = {};

    beforeAll(async () => {
      t = await createTestApp(engine, {
        GATEHOUSE_ROOT_TOKEN: ROOT,
        GATEHOUSE_MAX_BODY_SIZE: String(MAX_BODY),
      });
      // The same listener main.ts starts, so Bun's own limits and URL handling apply.
      t.app.listen({ hostname: "127.0.0.1", port: 0, maxRequestBodySize: MAX_BODY });
      port = t.app.server?.port ?? 0;
      routes = appRoutes(t.app);
      upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.json({ ok: true }) });
      mcpUpstream = startHttpFixture();

      const root = { token: ROOT };
      const ok = (r: { status: number; text: string }, what: string) => {
        if (r.status >= 300) throw new Error(`fixture ${what}: ${r.status} ${r.text}`);
      };
      await createPolicy(t, ROOT, "fz", [
        { paths: ["fz/**"], capabilities: ["read", "write", "list", "lease", "proxy"] },
      ]);
      await createPolicy(t, ROOT, "fz-gated", [
        { paths: ["fz/**"], capabilities: ["read", "lease"], approval: { required: true, max_ttl: 600 } },
      ]);
      ok(await t.req("POST", "/v1/secrets/fz/s", { ...root, body: { value: CANARY } }), "secret");
      ok(
        await t.req("POST", "/v1/secrets/fz/proxy", {
          ...root,
          body: { value: "upstream-token", metadata: { allowed_domains: "127.0.0.1" } },
        }),
        "proxy secret",
      );
      const role = await t.req<{ role_id: string }>("POST", "/v1/auth/approle", {
        ...root,
        body: { display_name: "fz-role", policies: ["fz"] },
      });
      ok(role, "approle");
      fx.approle = role.body.role_id;
      const link = await t.req<{ id: string; token: string }>("POST", "/v1/onboard", {
        ...root,
        body: { role_id: fx.approle },
      });
      ok(link, "onboard link");
      fx.link = link.body.id;
      fx.linkToken = link.body.token;
      const lease = await t.req<{ lease: { id: string } }>("POST", "/v1/lease/fz/s", {
        ...root,
        body: { ttl: 600 },
      });
      ok(lease, "lease");
      fx.lease = lease.body.lease.id;
      const gated = await agentToken(t, ["fz-gated"]);
      const pending = await t.req<{ request_id: string }>("POST", "/v1/lease/fz/s", {
        token: gated.token,
        body: { ttl: 60 },
      });
      ok(pending, "approval request");
      fx.request = pending.body.request_id;
      const user = await userToken(t, "admin");
      userJwt = user.token;
      fx.user = user.identity.replace(/^user:/, "");
      const tok = await t.req<{ id: string }>("POST", "/v1/me/tokens", {
        token: userJwt,
        body: { name: "fz" },
      });
      ok(tok, "access token");
      fx.accessToken = tok.body.id;
      const call = await t.req("POST", "/v1/proxy", {
        ...root,
        body: {
          method: "GET",
          url: `http://127.0.0.1:${upstream.port}/items/1`,
          inject: { Authorization: "fz/proxy" },
        },
      });
      ok(call, "proxy call");
      const patterns = await t.req<{ patterns: { id: string }[] }>("GET", "/v1/proxy/patterns", root);
      fx.pattern = patterns.body.patterns[0]?.id ?? "pattern-none";
      const gw = await t.req("POST", "/v1/mcp/servers", {
        ...root,
        body: { name: "fz-gw", transport: "http", url: mcpUpstream.url },
      });
      fx.gateway = gw.status < 300 ? "fz-gw" : "fz-gw-missing";
      // Started (and its tools listed) now: starting an upstream is audited and recorded, which is not
      // what a refused request later on should be blamed for.
      ok(await t.req("GET", `/v1/mcp/servers/${fx.gateway}/tools`, root), "gateway tools");
      for (const [k, v] of Object.entries(fx))
        if (!v || v.endsWith("-missing")) throw new Error(`fixture ${k} missing`);
      // Touched by no case: still intact at the end.
      ok(await t.req("POST", "/v1/secrets/keep/canary", { ...root, body: { value: CANARY } }), "kept secret");
    });

    afterAll(async () => {
      await t.app.stop(true).catch(() => {});
      upstream?.stop(true);
      await mcpUpstream?.stop();
      await t.close();
      console.log(`bad-input suite (${engine}) done after ${Math.round(performance.now() - started)} ms`);
    });

    /** Plausible values for the route's path parameters (real objects where one exists). */
    function paramValue(path: string, name: string): string {
      if (name === "*") {
        if (path.startsWith("/v1/secrets")) return "fz/s";
        if (path.startsWith("/v1/lease")) return "fz/s";
        if (path.startsWith("/v1/dynamic")) return "fz/dyn";
        return "assets/app.js";
      }
      if (path.startsWith("/v1/auth/approle/")) return fx.approle ?? "x";
      if (path.startsWith("/v1/onboard/:id")) return fx.link ?? "x";
      if (name === "token") return fx.linkToken ?? "x";
      if (path.startsWith("/v1/me/tokens")) return fx.accessToken ?? "x";
      if (path.startsWith("/v1/policy")) return "fz";
      if (path.startsWith("/v1/auth/users")) return fx.user ?? "x";
      if (name === "leaseId") return fx.lease ?? "x";
      if (path.startsWith("/v1/proxy/patterns")) return fx.pattern ?? "x";
      if (path.startsWith("/v1/requests")) return fx.request ?? "x";
      if (path.startsWith("/v1/mcp/servers")) return name === "tool" ? "echo" : (fx.gateway ?? "x");
      return "fz-unknown";
    }

    const fill = (route: RouteDef, override?: Record<string, string>) =>
      route.path.replace(/:([A-Za-z]+)|\*/g, (_m, name: string | undefined) => {
        const key = name ?? "*";
        return (
          override?.[key] ??
          (key === "*" ? paramValue(route.path, "*") : encodeURIComponent(paramValue(route.path, key)))
        );
      });

    const tokenFor = (route: RouteDef) =>
      route.path.startsWith("/v1/me") || route.path.startsWith("/v1/auth/session") ? userJwt : ROOT;

    const hooksOf = (route: RouteDef) => {
      const r = t.app.routes.find((x) => x.method.toUpperCase() === route.method && x.path === route.path) as
        | { hooks?: { body?: Schema; query?: Schema; parse?: unknown } }
        | undefined;
      return r?.hooks ?? {};
    };

    /** A valid body for the route, so one broken field is the only thing wrong. */
    function baseBody(route: RouteDef, schema: Schema | undefined): Record<string, Json> {
      const up = upstream?.port ?? 1;
      const known: Record<string, Record<string, Json>> = {
        "POST /v1/policy": { name: "fz-new", rules: [{ paths: ["fz/**"], capabilities: ["read"] }] },
        "PUT /v1/policy/:name": {
          rules: [{ paths: ["fz/**"], capabilities: ["read", "write", "list", "lease", "proxy"] }],
        },
        "POST /v1/policy/validate": { document: { name: "x", rules: [] } },
        "POST /v1/policy/simulate": { policies: ["fz"], capability: "read", path: "fz/s" },
        "POST /v1/secrets/*": { value: "v" },
        "PATCH /v1/secrets/*": { metadata: { description: "d" } },
        "POST /v1/secrets-bulk": { secrets: [{ path: "fz/bulk", value: "v" }], dry_run: true },
        "POST /v1/proxy": {
          method: "GET",
          url: `http://127.0.0.1:${up}/items/2`,
          inject: { Authorization: "fz/proxy" },
        },
        "POST /v1/lease/*": { ttl: 60 },
        "POST /v1/auth/approle": { display_name: "fz-b", policies: ["fz"] },
        "POST /v1/onboard": { role_id: fx.approle ?? "x" },
        "POST /v1/rotate": { role_id: fx.approle ?? "x" },
        "POST /v1/mcp/servers": {
          name: "fz-gw2",
          transport: "http",
          url: `http://127.0.0.1:${up}/mcp`,
          enabled: false,
        },
        "POST /v1/dynamic": {
          path: "fz/dyn2",
          provider_type: "redis",
          config: { host: "127.0.0.1", port: 1 },
        },
        "POST /v1/auth/users": { username: "fz-new-user", password: "correct-horse-battery-staple" },
        "POST /v1/requests/:id/deny": { reason: "no" },
        "POST /v1/mcp": { jsonrpc: "2.0", id: 1, method: "tools/list" },
        "POST /v1/mcp/message": { jsonrpc: "2.0", id: 1, method: "tools/list" },
      };
      return known[`${route.method} ${route.path}`] ?? ((sample(schema) ?? {}) as Record<string, Json>);
    }

    function casesFor(route: RouteDef): Case[] {
      const out: Case[] = [];
      const hooks = hooksOf(route);
      const bodySchema = hooks.body;
      const querySchema = hooks.query;
      const target = fill(route);
      const json = { "content-type": "application/json" };
      const add = (c: Omit<Case, "route" | "method" | "target"> & Partial<Pick<Case, "method" | "target">>) =>
        out.push({ route, method: route.method, target, ...c });
      // A body schema, or a transport that parses its own body (parse: "none", the MCP endpoint).
      const ownParser = JSON.stringify(hooks.parse ?? null).includes('"none"');
      const takesBody = !!bodySchema || ownParser;

      // --- Bodies --------------------------------------------------------------------------------
      if (takesBody) {
        const base = baseBody(route, bodySchema);
        for (const text of ['{"a": tru', "{'a': 1}", "[1,]", "NaN", "\u0000", '{"a":1}}', '{"a":"\\ud800"'])
          add({ name: `not JSON: ${JSON.stringify(text)}`, expect: "4xx", headers: json, body: text });
        if (bodySchema?.type === "object")
          for (const v of ["[]", '"str"', "12", "true", "null"])
            add({ name: `top-level ${v}`, expect: "4xx", headers: json, body: v });
        const props = Object.entries(bodySchema?.properties ?? {});
        for (const [field, fs] of props) {
          for (const [label, v] of SAMPLES) {
            const body = { ...base, [field]: v };
            add({
              name: `${field} as ${label}`,
              expect: typeFits(fs, v) ? "no5xx" : "4xx",
              headers: json,
              body: JSON.stringify(body),
            });
          }
          // 10k levels of nesting in the field (JSON.parse copes; recursion in a handler must too).
          const rest = JSON.stringify({ ...base, [field]: 0 }).replace(`"${field}":0`, `"${field}":@`);
          for (const [label, deep] of [
            ["array", deepArray()],
            ["object", deepObject()],
          ] as const) {
            const v = label === "array" ? [[1]] : { a: { a: 1 } };
            add({
              name: `${field} nested ${DEEP} deep (${label})`,
              expect: typeFits(fs, v) ? "no5xx" : "4xx",
              headers: json,
              body: rest.replace("@", deep),
            });
          }
          // Strings with control characters, NUL, CR/LF (header injection through a field), RTL marks.
          if (typeFits(fs, "x"))
            for (const v of [
              "a\r\nX-Injected: 1",
              "a\u0000b",
              "\u202e\u0000",
              "%00%0d%0a",
              "../../etc/passwd",
            ])
              add({
                name: `${field} = ${JSON.stringify(v)}`,
                expect: "no5xx",
                headers: json,
                body: JSON.stringify({ ...base, [field]: v }),
              });
        }
        for (const field of bodySchema?.required ?? []) {
          const { [field]: _drop, ...rest } = base;
          add({ name: `missing ${field}`, expect: "4xx", headers: json, body: JSON.stringify(rest) });
        }
        // Nesting as the whole body: refused when something is required, harmless (ignored) otherwise.
        add({
          name: `body nested ${DEEP} deep`,
          expect: (bodySchema?.required ?? []).length ? "4xx" : "no5xx",
          headers: json,
          body: deepObject(),
        });
        // Invalid UTF-8 inside a string (a lone continuation byte and an overlong '/').
        const stringField = props.find(([, fs]) => typeFits(fs, "x"))?.[0];
        const marker = "\u0001MARK\u0001";
        const withMarker = stringField ? { ...base, [stringField]: marker } : { ...base, [marker]: 1 };
        const [before, after] = JSON.stringify(withMarker).split("\\u0001MARK\\u0001");
        for (const bad of [[0xff, 0xfe], [0xc0, 0xaf], [0x80], [0xed, 0xa0, 0x80]])
          add({
            name: `invalid UTF-8 ${bad.map((b) => b.toString(16)).join(" ")} in ${stringField ?? "a key"}`,
            expect: "4xx",
            headers: json,
            body: concat(before ?? "", Uint8Array.from(bad), after ?? ""),
          });
        // Content types that are not JSON, or lie about it.
        const valid = JSON.stringify(base);
        // A transport with its own parser (JSON-RPC): deep nesting inside a well-formed call, and a batch.
        if (ownParser) {
          const call = (args: string) =>
            `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"gatehouse_scrub","arguments":{"text":${args}}}}`;
          add({
            name: "JSON-RPC call, arguments 10k deep",
            expect: "no5xx",
            headers: json,
            body: call(deepObject()),
          });
          add({ name: "JSON-RPC batch 5k deep", expect: "no5xx", headers: json, body: `[${deepArray()}]` });
        }
        // The control: the well-formed body reaches the route (a transport with its own parser too).
        add({
          name: "well-formed body",
          expect: "no5xx",
          headers: { ...json, accept: "application/json, text/event-stream" },
          body: valid,
        });
        for (const ct of [
          "multipart/form-data; boundary=zz",
          "multipart/form-data",
          "application/json; charset=utf-16",
        ])
          add({
            name: `content-type ${ct}`,
            expect: "no5xx",
            headers: { "content-type": ct },
            body: "--zz\r\nbroken",
          });
        add({
          name: "form-encoded garbage",
          expect: "no5xx",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "a=%zz&&=&b",
        });
        add({
          name: "text/plain JSON",
          expect: "no5xx",
          headers: { "content-type": "text/plain" },
          body: valid,
        });
        add({
          name: "empty JSON body",
          expect: (bodySchema?.required ?? []).length ? "4xx" : "no5xx",
          headers: json,
          body: "",
        });
      }

      // --- Oversized bodies (every route: the limit applies before routing) -------------------------
      // The app's own check (the envelope) answers a declared length over the limit; on a socket, Bun's
      // limit (maxRequestBodySize, as main.ts sets it) answers first with a bare 413.
      const huge = "x".repeat(MAX_BODY + 1024);
      add({
        name: "body over the limit (app)",
        expect: "4xx",
        viaHandle: true,
        headers: { ...json, "content-length": String(huge.length + 12) },
        body: JSON.stringify({ value: huge }),
      });
      add({
        name: "body over the limit (raw socket)",
        expect: "4xx",
        raw: rawRequest(route.method, target, { ...json, Authorization: `Bearer ${tokenFor(route)}` }, huge),
        rawStatus: 413,
      });
      // Without a length, only a route that reads its body can find it too large (the others never read it).
      if (takesBody)
        add({
          name: "body over the limit (chunked, raw socket)",
          expect: "4xx",
          raw: concat(
            `${route.method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer ${tokenFor(route)}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
            `${`4000\r\n${"x".repeat(0x4000)}\r\n`.repeat(Math.ceil((MAX_BODY * 2) / 0x4000))}0\r\n\r\n`,
          ),
          rawStatus: 413,
        });

      // --- Path traversal in path parameters ------------------------------------------------------------
      const params = [...route.path.matchAll(/:([A-Za-z]+)|\*/g)].map((m) => m[1] ?? "*");
      if (params.length && route.path !== "/*") {
        const base = takesBody ? JSON.stringify(baseBody(route, bodySchema)) : undefined;
        const traversal = [
          "..%2f..%2fetc%2fpasswd",
          "fz%2f..%2fs",
          "fz%2f%2e%2e%2fs",
          "%2e%2e%2f%2e%2e",
          "%00",
          "fz%00s",
          "fz%5c..%5c..%5cs",
          "%c0%ae%c0%ae%2f",
          "%e2%80%a5",
          "%ef%bc%8e%ef%bc%8e%2fs",
          "%",
          "%zz",
          "%ff%fe",
        ];
        for (const p of params)
          for (const v of traversal) {
            const tgt = fill(route, { [p]: v });
            add({
              name: `${p} = ${v}`,
              expect: "4xx",
              raw: rawRequest(
                route.method,
                tgt,
                { ...(base ? json : {}), Authorization: `Bearer ${tokenFor(route)}` },
                base,
              ),
            });
          }
        // Literal dot segments are resolved by the HTTP layer before routing: a different (unknown or
        // SPA) route answers, and nothing outside the web root is served.
        for (const v of ["..", "../../../../etc/passwd", "%2e%2e/%2e%2e/%2e%2e/etc/passwd"])
          add({
            name: `${params[0]} = ${v} (dot segments)`,
            expect: route.method === "GET" ? "no5xx" : "4xx",
            raw: rawRequest(
              route.method,
              fill(route, { [params[0] as string]: v }),
              { Authorization: `Bearer ${tokenFor(route)}`, ...(base ? json : {}) },
              base,
            ),
          });
      }
      if (route.path === "/*")
        for (const v of [
          "..%2f..%2f..%2fetc%2fpasswd",
          "assets%2f..%2f..%2f..%2fetc%2fpasswd",
          "%00",
          "..\\..\\etc\\passwd",
          "assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        ])
          add({ name: `SPA path ${v}`, expect: "no5xx", raw: rawRequest("GET", `/${v}`, {}) });

      // --- Query parameters ----------------------------------------------------------------------------
      for (const [param, qs] of Object.entries(querySchema?.properties ?? {})) {
        const numeric = /numeric|integer/.test(JSON.stringify(qs)) || !!qs.pattern?.includes("0-9");
        const typed = numeric || JSON.stringify(qs).includes('"const"') || qs.type === "boolean";
        const maxLength = (qs as { maxLength?: number }).maxLength ?? Number.POSITIVE_INFINITY;
        // Refused when the parameter is a number or an enumeration; a free-text filter may take any text
        // within its length. ("0x10" is a number to t.Numeric, so it is only odd.)
        const values: [string, boolean][] = [
          ["abc", typed],
          ["-1", typed],
          ["1e999", typed],
          ["99999999999999999999999", typed],
          ["", typed || (qs.minLength ?? 0) > 0],
          ["%00", typed],
          ["%0d%0aX-Injected:%201", typed],
          ["9".repeat(400), typed || maxLength < 400],
          ["x".repeat(5000), typed || maxLength < 5000],
          ["%zz", false],
          ["%ff%fe", typed],
          // A long poll of 16 s is a legal wait, but not one to sit through here.
          ...(param === "wait" ? [] : [["0x10", false] as [string, boolean]]),
        ];
        for (const [v, strict] of values)
          add({
            name: `query ${param}=${v.slice(0, 30)}`,
            expect: strict ? "4xx" : "no5xx",
            target: `${target}?${param}=${v}`,
          });
        add({
          name: `query ${param} repeated`,
          expect: "no5xx",
          target: `${target}?${param}=1&${param}=2&${param}=abc`,
        });
        add({ name: `query ${param}[]`, expect: "no5xx", target: `${target}?${param}[a]=1&${param}[]=2` });
      }
      if (route.method === "GET" && route.path !== "/v1/events") {
        const many = Array.from({ length: 500 }, (_, i) => `p${i}=${i}`).join("&");
        add({ name: "500 unknown query params", expect: "no5xx", target: `${target}?${many}` });
        add({
          name: "prototype keys in the query",
          expect: "no5xx",
          target: `${target}?__proto__[x]=1&constructor[prototype][y]=2&toString=1`,
        });
        add({ name: "query of 6 KB", expect: "no5xx", target: `${target}?q=${"%41".repeat(2000)}` });
      }

      // --- Headers ---------------------------------------------------------------------------------------
      // CR, LF and NUL inside header values, and obsolete line folding: refused by Bun's parser.
      const hv = [
        ["Authorization", `Bearer ${ROOT}\rX-Injected: 1`],
        ["X-Request-Id", "abcdefgh\nSet-Cookie: a=b"],
        ["Cookie", "gh_session=a\u0000b"],
        ["Content-Type", "application/json\r\n x-folded: 1"],
      ];
      for (const [h, v] of hv)
        add({
          name: `header injection in ${h}`,
          expect: "4xx",
          raw: concat(
            `${route.method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer ${tokenFor(route)}\r\n${h}: ${v}\r\n\r\n`,
          ),
          rawStatus: 400,
        });
      // Odd but legal header values reach the app: never a 5xx, never echoed unsanitised.
      if (route.method === "GET" && route.path !== "/v1/events") {
        add({
          name: "request id of 10k characters",
          expect: "no5xx",
          headers: { "x-request-id": "a".repeat(10_000) },
        });
        add({
          name: "request id with latin-1 bytes",
          expect: "no5xx",
          headers: { "x-request-id": "abc\u00ff\u00fedefgh" },
        });
        add({
          name: "X-Forwarded-For garbage",
          expect: "no5xx",
          headers: { "x-forwarded-for": `${"1.2.3.4, ".repeat(300)}unknown, [::1]:x, 999.1.1.1` },
        });
        add({
          name: "cookie with malformed escapes",
          expect: "no5xx",
          headers: { cookie: "gh_session=%E0%A4%A; x=%" },
        });
      }
      return out;
    }

    async function send(c: Case): Promise<Answer> {
      if (c.raw) return rawHttp(port, c.raw);
      if (c.viaHandle) {
        const headers = new Headers(c.headers);
        headers.set("authorization", `Bearer ${tokenFor(c.route)}`);
        const res = await t.app.handle(
          new Request(`http://localhost${c.target}`, {
            method: c.method,
            headers,
            body: c.method === "GET" ? undefined : c.body,
          }),
        );
        return { status: res.status, text: await res.text(), headers: res.headers };
      }
      const headers = new Headers(c.headers);
      if (!headers.has("authorization")) headers.set("authorization", `Bearer ${tokenFor(c.route)}`);
      const res = await fetch(`http://127.0.0.1:${port}${c.target}`, {
        method: c.method,
        headers,
        body: c.body,
        redirect: "manual",
        signal: AbortSignal.timeout(15_000),
      });
      // Streams (SSE) answer headers first; the status is all that matters here.
      const streaming = res.headers.get("content-type")?.includes("text/event-stream");
      if (streaming) await res.body?.cancel();
      const text = streaming ? "" : await res.text();
      return { status: res.status, text, headers: res.headers };
    }

    // Routes that authenticate with something in the request itself (a password, a one-time token, a
    // refresh cookie): a 401 there can be the refusal. Everywhere else the root (or admin) token is
    // valid, so a 401 means the case never reached the route's own checks.
    const CREDENTIALS_IN_REQUEST =
      /^\/v1\/(auth\/(login|session|approle\/login|refresh|oidc|callback)|setup|onboard\/:token|rotate\/:token|me\/(password|totp))/;

    /** Problems with one answer, as readable strings (empty when the case passed). */
    function judge(c: Case, a: Answer): string[] {
      const p: string[] = [];
      const where = `${c.route.method} ${c.route.path} [${c.name}]`;
      if (
        c.expect === "4xx" &&
        a.status === 401 &&
        !c.name.startsWith("header injection") &&
        !CREDENTIALS_IN_REQUEST.test(c.route.path)
      )
        p.push(
          `${where}: refused as unauthenticated, so the input was never checked: ${a.text.slice(0, 150)}`,
        );
      if (a.status >= 500 || a.status === 0) p.push(`${where}: ${a.status} ${a.text.slice(0, 300)}`);
      if (c.expect === "4xx" && (a.status < 400 || a.status >= 500))
        p.push(`${where}: expected 4xx, got ${a.status} ${a.text.slice(0, 200)}`);
      if (
        c.rawStatus !== undefined &&
        a.status !== c.rawStatus &&
        !(a.status >= 400 && a.status < 500 && a.text)
      )
        p.push(`${where}: expected ${c.rawStatus} from the HTTP layer, got ${a.status}`);
      if (a.text.includes("root:x:0:0")) p.push(`${where}: served /etc/passwd`);
      if (a.text.includes(CANARY) && !c.route.path.startsWith("/v1/secrets"))
        p.push(`${where}: answered with the canary`);
      for (const [k, v] of a.headers)
        if (/x-injected|set-cookie: a=b/i.test(`${k}: ${v}`)) p.push(`${where}: injected header echoed`);
      const fromApp = !(c.raw && a.text === "" && c.rawStatus !== undefined);
      if (a.status >= 400 && a.status < 500 && fromApp && !OWN_ERROR_FORMAT(c.route.path)) {
        let body: Record<string, unknown> | undefined;
        try {
          body = JSON.parse(a.text);
        } catch {}
        if (!body) p.push(`${where}: ${a.status} without a JSON envelope: ${a.text.slice(0, 120)}`);
        else {
          const code = String(body.code);
          if (typeof body.error !== "string" || typeof body.request_id !== "string" || !ERROR_CODES.has(code))
            p.push(`${where}: bad envelope ${a.text.slice(0, 200)}`);
          else if (ERROR_STATUS[code as keyof typeof ERROR_STATUS] !== a.status)
            p.push(`${where}: code ${code} answered with status ${a.status}`);
        }
      }
      return p;
    }

    // Every table that a refused request must leave alone (audit_log, rate_limits and sessions may move).
    const VOLATILE = new Set(["audit_log", "rate_limits", "sessions"]);
    async function snapshot(): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      for (const table of Object.values(t.ctx.store.t)) {
        if (!is(table, Table)) continue;
        const name = getTableName(table);
        if (VOLATILE.has(name)) continue;
        const rows = (await t.ctx.store.db.select().from(table as never)) as unknown[];
        out.set(
          name,
          rows
            .map((r) => JSON.stringify(r))
            .sort()
            .join("\n"),
        );
      }
      return out;
    }
    const maxSeq = async () => {
      const rows = await t.ctx.store.db
        .select({ seq: t.ctx.store.t.auditLog.seq })
        .from(t.ctx.store.t.auditLog);
      return rows.reduce((m, r) => Math.max(m, r.seq), 0);
    };

    async function runAll(expectation: Expectation): Promise<{ problems: string[]; count: number }> {
      const problems: string[] = [];
      let count = 0;
      for (const route of routes) {
        const cases = casesFor(route).filter((c) => c.expect === expectation);
        if (!cases.length) continue;
        const before = expectation === "4xx" ? await snapshot() : undefined;
        const seq = expectation === "4xx" ? await maxSeq() : 0;
        for (const c of cases) {
          count++;
          let a: Answer;
          try {
            a = await send(c);
          } catch (e) {
            problems.push(`${c.route.method} ${c.route.path} [${c.name}]: request failed: ${String(e)}`);
            continue;
          }
          if (!c.raw || a.text !== "") recordHit(c.method, c.target, a.status);
          problems.push(...judge(c, a));
        }
        if (before) {
          const after = await snapshot();
          for (const [name, rows] of before)
            if (after.get(name) !== rows)
              problems.push(`${route.method} ${route.path}: refused requests changed table ${name}`);
          const { auditLog } = t.ctx.store.t;
          const entries = (await t.ctx.store.db.select().from(auditLog)).filter((r) => r.seq > seq);
          for (const e of entries.filter((r) => r.success))
            problems.push(
              `${route.method} ${route.path}: a refused request left a successful audit entry ${e.action}`,
            );
        }
      }
      return { problems, count };
    }

    test("every route refuses malformed input with a 4xx envelope and writes nothing", async () => {
      const { problems, count } = await runAll("4xx");
      console.log(`bad-input (${engine}): ${count} refused-input cases over ${routes.length} routes`);
      expect(problems).toEqual([]);
    }, 600_000);

    test("odd but possibly legal input never gets a 5xx", async () => {
      const { problems, count } = await runAll("no5xx");
      console.log(`bad-input (${engine}): ${count} odd-input cases`);
      expect(problems).toEqual([]);
    }, 600_000);

    test("the server still answers normally afterwards", async () => {
      const r = await t.req<{ value: string }>("GET", "/v1/secrets/keep/canary/value", { token: ROOT });
      expect(r.status).toBe(200);
      expect(r.body.value).toBe(CANARY);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    });
  });
}
