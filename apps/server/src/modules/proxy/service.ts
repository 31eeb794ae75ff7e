import { GatehouseError, invalid, isGatehouseError } from "@gatehouse/core";
import { type JsonSchema, jsonSchema, normalizeUrl } from "@gatehouse/core/patterns";
import type { Decision } from "@gatehouse/core/policy";
import { KnownValues, scrub } from "@gatehouse/core/scrubber";
import type { Actor } from "../../auth/actor";
import type { AppContext } from "../../context";
import { auditBy } from "../secrets/access";
import { checkPath, openFor, rowsFor, type SecretRow } from "../secrets/rows";
import { allowedDomains, allowedPathPrefixes, domainAllowed, flag, pathAllowed } from "./checks";
import { checkLiteral, privatePolicy, resolveChecked } from "./net";
import type { PatternStore } from "./patterns";
import { fill, jsonEscaped, parseTemplateUrl, refsIn } from "./templates";
import { callUpstream } from "./upstream";

export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const MIN_TIMEOUT_MS = 1_000;
export const MAX_TIMEOUT_MS = 120_000;
const MAX_SECRETS = 10;

/** Response headers passed back to the caller (each scrubbed); everything else is dropped. */
export const PASSED_HEADERS = [
  "content-type",
  "content-language",
  "etag",
  "last-modified",
  "link",
  "location",
  "retry-after",
  "x-request-id",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
  "x-ratelimit-used",
  "ratelimit",
  "ratelimit-policy",
  "www-authenticate",
];

// Hop-by-hop and framing headers are the proxy's business, not the caller's.
const DROPPED = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "proxy-authorization",
  "proxy-connection",
  "http2-settings",
  // fetch negotiates and decodes the encoding itself: a body it cannot decode could not be scrubbed.
  "accept-encoding",
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const AUTH_SCHEME = /^(bearer|basic|token|digest)\s/i;

export interface ProxyInput {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  inject?: Record<string, string>;
  auto_inject?: string[];
  timeout?: unknown;
  reason?: string;
}

export interface ProxyResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  suggestions?: unknown[];
  hint?: string;
  patterns_available?: number;
}

interface Injection {
  header: string;
  path: string;
  /** "bearer" adds Bearer to Authorization; "basic" sends Basic base64(user:pass); "raw" as is. */
  style: "bearer" | "basic" | "raw" | { scheme: string };
}

function checkHeaderName(name: string, field: string): string {
  if (!HEADER_NAME.test(name)) throw invalid(field, `"${name.slice(0, 64)}" is not a valid header name`);
  return name;
}

/** RFC 7617 needs user-id ":" password; a bare key is sent as the user name (like `curl -u key:`). */
const basic = (value: string) =>
  `Basic ${Buffer.from(value.includes(":") ? value : `${value}:`, "utf8").toString("base64")}`;

function headerValue(inj: Injection, value: string): string {
  const { style } = inj;
  if (style === "basic") return basic(value);
  if (style === "raw") return value;
  if (style === "bearer")
    return inj.header.toLowerCase() === "authorization" && !AUTH_SCHEME.test(value)
      ? `Bearer ${value}`
      : value;
  if (style.scheme.toLowerCase() === "basic") return basic(value);
  return `${style.scheme} ${value}`;
}

function hintFor(status: number): string | undefined {
  if (status >= 300 && status < 400)
    return "Redirects are not followed: send the location through the proxy again if the secret allows it.";
  if (status === 401 || status === 403)
    return "The upstream refused the credential: check the injection (header name, auth scheme) against the suggestions.";
  if (status === 404) return "The upstream has no such resource: compare the URL with the suggestions.";
  if (status === 429) return "The upstream is rate limiting: wait for retry-after before trying again.";
  if (status >= 400) return "The upstream call failed: compare the request with the suggestions.";
  return undefined;
}

function schemaOf(body: unknown, bodyIsJson: boolean, contentType: string | null): JsonSchema | null {
  if (body === undefined || body === null) return null;
  if (bodyIsJson) return jsonSchema(body);
  if (typeof body === "string" && contentType?.toLowerCase().includes("json")) {
    try {
      return jsonSchema(JSON.parse(body));
    } catch {
      return null;
    }
  }
  return null;
}

export function createProxyService(ctx: AppContext, patterns: PatternStore) {
  async function deny(actor: Actor, path: string | null, e: GatehouseError, extra: Record<string, unknown>) {
    await ctx.audit.append({
      ...auditBy(actor),
      action: "proxy.forward",
      path,
      success: false,
      outcome: "denied",
      metadata: { code: e.code, ...extra },
    });
  }

  /** POST /v1/proxy: the checks of PRODUCT.md §5 in order, then one upstream exchange. */
  async function forward(actor: Actor, input: ProxyInput): Promise<ProxyResult> {
    const started = performance.now();

    // 0. The request's own shape (400): method, timeout, header syntax, references.
    const method = input.method.toUpperCase();
    if (!(METHODS as readonly string[]).includes(method))
      throw invalid("method", `must be one of ${METHODS.join(", ")}`);
    const timeoutMs = input.timeout ?? DEFAULT_TIMEOUT_MS;
    if (
      typeof timeoutMs !== "number" ||
      !Number.isInteger(timeoutMs) ||
      timeoutMs < MIN_TIMEOUT_MS ||
      timeoutMs > MAX_TIMEOUT_MS
    )
      throw invalid("timeout", `must be an integer between ${MIN_TIMEOUT_MS} and ${MAX_TIMEOUT_MS} ms`);

    const urlRefs = refsIn(input.url, "url");
    const callerHeaders: [string, string][] = [];
    const headerRefs: string[] = [];
    for (const [name, value] of Object.entries(input.headers ?? {})) {
      if (typeof value !== "string") throw invalid(`headers.${name}`, "must be a string");
      checkHeaderName(name, "headers");
      if (DROPPED.has(name.toLowerCase())) continue;
      headerRefs.push(...refsIn(value, `headers.${name}`));
      callerHeaders.push([name, value]);
    }
    const injections: Injection[] = [];
    for (const [header, spec] of Object.entries(input.inject ?? {})) {
      checkHeaderName(header, "inject");
      const isBasic = spec.toLowerCase().startsWith("basic:");
      const path = isBasic ? spec.slice("basic:".length) : spec;
      injections.push({
        header,
        path: refPath(path, `inject.${header}`),
        style: isBasic ? "basic" : "bearer",
      });
    }
    const autoPaths = (input.auto_inject ?? []).map((p, i) => refPath(p, `auto_inject[${i}]`));

    let bodyText: string | undefined;
    const bodyIsJson = input.body !== undefined && input.body !== null && typeof input.body !== "string";
    if (input.body !== undefined && input.body !== null) {
      if (method === "GET" || method === "HEAD") throw invalid("body", `a ${method} request has no body`);
      bodyText = typeof input.body === "string" ? input.body : JSON.stringify(input.body);
    }
    const bodyRefs = bodyText ? refsIn(bodyText, "body") : [];

    const paths = [
      ...new Set([...urlRefs, ...headerRefs, ...bodyRefs, ...injections.map((i) => i.path), ...autoPaths]),
    ];
    if (paths.length === 0)
      throw invalid("url", "the request references no secret: use {{secret:path}}, inject or auto_inject");
    if (paths.length > MAX_SECRETS) throw invalid("url", `at most ${MAX_SECRETS} secrets per request`);

    // 1. The proxy capability on every referenced secret, then their existence (no oracle without it).
    const decisions = new Map<string, Decision>();
    for (const path of paths) {
      try {
        decisions.set(path, ctx.policies.check(actor, "proxy", path));
      } catch (e) {
        if (isGatehouseError(e)) await deny(actor, path, e, { capability: "proxy", method });
        throw e;
      }
    }
    const found = await rowsFor(ctx, paths);
    const rows = new Map<string, SecretRow>();
    for (const [i, path] of paths.entries()) {
      const row = found[i];
      if (!row || row.deletedAt !== null) throw new GatehouseError("not_found", `No secret at "${path}"`);
      rows.set(path, row);
    }

    let host: string | undefined;
    let culprit: string | null = paths[0] ?? null;
    try {
      // 2. http/https only; no references in the scheme, host or port.
      const target = parseTemplateUrl(input.url);
      host = target.template.host;

      // 3. allowed_domains, on every secret (none set: the secret cannot be proxied).
      for (const [path, row] of rows) {
        culprit = path;
        const domains = allowedDomains(row.metadata);
        if (domains.length === 0)
          throw new GatehouseError(
            "proxy_domains_unset",
            `"${path}" has no allowed_domains, so it cannot be proxied; an admin of the secret must set them`,
          );
        if (!domainAllowed(target.template, domains))
          throw new GatehouseError(
            "domain_not_allowed",
            `"${target.template.hostname}" is not allowed for "${path}"`,
            {
              host: target.template.hostname,
            },
          );
      }

      // The final URL needs the values (a value in the path can change its shape); nothing leaves yet.
      const values = new Map<string, string>();
      for (const [path, row] of rows)
        values.set(path, await openFor(ctx, actor, "proxy.forward", path, row.version, row.value));
      const url = target.build(values);
      if (url.host !== target.template.host) throw invalid("url", "the host changed after injection");

      // 4. allowed_path_prefixes, segment-aligned on the normalized final path.
      for (const [path, row] of rows) {
        culprit = path;
        const prefixes = allowedPathPrefixes(row.metadata);
        if (prefixes.length && !pathAllowed(url, prefixes))
          throw new GatehouseError(
            "path_not_allowed",
            `The URL path is outside the allowed_path_prefixes of "${path}"`,
          );
      }
      // A body can publish a secret (an issue on an allowed domain): only with allow_body_injection=true.
      for (const path of new Set(bodyRefs)) {
        culprit = path;
        const row = rows.get(path) as SecretRow;
        if (!flag(row.metadata, "allow_body_injection"))
          throw new GatehouseError(
            "forbidden",
            `"${path}" may not be injected into a request body (allow_body_injection is not set)`,
            { reason: "body_injection_not_allowed" },
          );
      }

      // 5. SSRF on a literal address (every IPv4 spelling, v4-mapped IPv6, localhost names).
      culprit = paths[0] ?? null;
      const policy = privatePolicy(
        ctx.config.proxyAllowPrivate,
        [...rows.values()].map((r) => r.metadata),
      );
      const literal = checkLiteral(url.hostname, policy);

      // 6. Approval where a deciding rule requires it; an approved request left a grant, so a re-send passes.
      for (const [path, decision] of decisions) {
        culprit = path;
        await ctx.approvals.gate(actor, decision, {
          kind: "proxy",
          capability: "proxy",
          path,
          reason: input.reason,
          details: { method, host: url.host },
        });
      }

      culprit = paths[0] ?? null;
      // The timeout covers resolution and the exchange together.
      const deadline = performance.now() + timeoutMs;

      // Build what is sent.
      const headers = new Headers();
      const derived: string[] = [];
      const set = (name: string, value: string, field: string) => {
        try {
          headers.set(name, value);
        } catch {
          throw invalid(field, "a header value cannot contain control characters");
        }
      };
      for (const [name, value] of callerHeaders) set(name, fill(value, values), `headers.${name}`);
      const all: Injection[] = [...injections];
      for (const path of autoPaths) {
        const m = (rows.get(path) as SecretRow).metadata;
        const header = checkHeaderName(
          m.header_name?.trim() || "Authorization",
          `metadata.header_name of ${path}`,
        );
        const scheme = m.auth_scheme === undefined ? "Bearer" : m.auth_scheme.trim();
        all.push({ header, path, style: scheme === "" ? "raw" : { scheme } });
      }
      for (const inj of all) {
        const v = headerValue(inj, values.get(inj.path) as string);
        if (v !== values.get(inj.path)) derived.push(v);
        set(inj.header, v, `inject.${inj.header}`);
      }
      let body: string | undefined;
      if (bodyText !== undefined) {
        body = fill(bodyText, values, bodyIsJson ? jsonEscaped : undefined);
        if (bodyIsJson && !headers.has("content-type")) headers.set("content-type", "application/json");
        if (Buffer.byteLength(body, "utf8") > ctx.proxyNet.maxRequestBytes)
          throw new GatehouseError(
            "payload_too_large",
            `The upstream request body exceeds ${ctx.proxyNet.maxRequestBytes} bytes`,
          );
      }
      // 7. Resolve once, check every address, connect to the checked one (SSRF refusals stay 403s).
      // Started here: what follows up to the await runs while the upstream answers.
      const exchange = (async () => {
        const address = literal ?? (await resolveChecked(ctx.proxyNet, url.hostname, policy, timeoutMs));
        return callUpstream(ctx.proxyNet, {
          method,
          url,
          address,
          literal: literal !== null,
          headers,
          body,
          timeoutMs: Math.max(1, Math.round(deadline - performance.now())),
        });
      })();
      // Awaited below; until then a failure must not count as unhandled.
      exchange.catch(() => {});
      const known = new KnownValues([...values.values()], derived);
      const template = normalizeUrl(target.template);
      const observation = {
        method,
        template: template.template,
        host: template.host,
        headerNames: [...headers.keys()].sort(),
        requestSchema: schemaOf(input.body, bodyIsJson, headers.get("content-type")),
        agent: actor.identity,
      };
      const finish = async (
        status: number | null,
        extra: Record<string, unknown>,
        ok: boolean | null,
        responseSchema: JsonSchema | null,
      ) => {
        const duration = Math.round((performance.now() - started) * 10) / 10;
        // The response waits for its audit entries (group-committed with other requests' entries);
        // the pattern update is queued and written in a batch after.
        await Promise.all(
          paths.map((path) =>
            ctx.audit.append({
              ...auditBy(actor),
              action: "proxy.forward",
              path,
              success: status !== null,
              outcome: status !== null ? "success" : "error",
              metadata: {
                method,
                host: template.host,
                path: template.path,
                status,
                duration_ms: duration,
                ...extra,
              },
            }),
          ),
        );
        if (ok !== null) patterns.observe(paths, { ...observation, responseSchema, status, ok });
      };

      let result: Awaited<ReturnType<typeof callUpstream>>;
      try {
        result = await exchange;
      } catch (e) {
        if (!isGatehouseError(e) || e.status < 500) throw e;
        await finish(null, { code: e.code, reason: e.details?.reason ?? null }, false, null);
        const help = await patterns.help(paths, { method, template: template.template });
        throw new GatehouseError(e.code, e.message, {
          ...e.details,
          suggestions: help.suggestions,
          patterns_available: help.available,
          hint:
            e.code === "upstream_timeout"
              ? "The upstream did not answer in time: raise timeout (at most 120000 ms) or compare with the suggestions."
              : "The upstream could not be reached or its answer was refused.",
        });
      }

      // Redact every injected value (and its encodings), then every credential format.
      const outHeaders: Record<string, string> = {};
      for (const name of PASSED_HEADERS) {
        const v = result.headers.get(name);
        if (v !== null) outHeaders[name] = scrub(v, known).scrubbed;
      }
      const text = scrub(result.text, known).scrubbed;
      let outBody: unknown = text;
      let responseSchema: JsonSchema | null = null;
      if (text && (outHeaders["content-type"] ?? "").toLowerCase().includes("json")) {
        try {
          outBody = JSON.parse(text);
          responseSchema = jsonSchema(outBody);
        } catch {
          outBody = text;
        }
      }
      const { status } = result;
      const ok = status >= 200 && status < 300 ? true : status >= 400 ? false : null;
      await finish(status, {}, ok, responseSchema);
      const out: ProxyResult = { status, headers: outHeaders, body: outBody };
      const hint = hintFor(status);
      if (hint) out.hint = hint;
      if (status >= 400) {
        const help = await patterns.help(paths, { method, template: template.template });
        out.suggestions = help.suggestions;
        out.patterns_available = help.available;
      }
      return out;
    } catch (e) {
      if (isGatehouseError(e) && e.status < 500 && e.code !== "not_found")
        await deny(actor, culprit, e, { method, ...(host ? { host } : {}) });
      throw e;
    }
  }

  return { forward };
}

function refPath(path: string, field: string): string {
  try {
    return checkPath(path.trim());
  } catch (e) {
    throw new GatehouseError(
      isGatehouseError(e) ? e.code : "path_invalid",
      `${field}: ${(e as Error).message}`,
      {
        field,
      },
    );
  }
}

export type ProxyService = ReturnType<typeof createProxyService>;
