import { GatehouseError, invalid } from "@gatehouse/core";
import { Elysia } from "elysia";

// Strict JSON request bodies (issue 15, found by test/bad-input.test.ts). Elysia's default JSON parsing
// has four holes that each turned a malformed request into a 500 or into a write:
// - a body nested thousands of levels deep passes JSON.parse, then Elysia's validation error message
//   stringifies it recursively and overflows the stack (500);
// - invalid UTF-8 is decoded with U+FFFD replacements, so a secret or name is silently altered;
// - on routes whose body is optional, a parse failure is swallowed and the request runs without a body;
// - a non-object body ("str", 12, []) reaches handlers of optional bodies unvalidated.
// So every JSON body (application/json and application/*+json) is decoded as strict UTF-8, its
// nesting is bounded before parsing, and it must be a JSON object (every route's body schema is one).

/** Deeper than any document the API takes (policies, metadata, proxy bodies, gateway filters). */
export const MAX_JSON_DEPTH = 128;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const isJsonType = (contentType: string) => {
  const ct = contentType.trim().toLowerCase();
  return ct === "application/json" || (ct.startsWith("application/") && ct.endsWith("+json"));
};

/** True when brackets outside strings nest deeper than `max` (one linear pass, no recursion). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** The body as a JSON object; an empty body is `{}` (no fields), anything malformed a 4xx. */
export async function readJsonObject(request: Request, maxBytes: number): Promise<Record<string, unknown>> {
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > maxBytes)
    throw new GatehouseError("payload_too_large", `The request body exceeds ${maxBytes} bytes`);
  if (bytes.byteLength === 0) return {};
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw invalid("body", "is not valid UTF-8");
  }
  if (nestsDeeperThan(text, MAX_JSON_DEPTH))
    throw invalid("body", `nests deeper than ${MAX_JSON_DEPTH} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid("body", "is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalid("body", "must be a JSON object");
  return value as Record<string, unknown>;
}

/** The path of an absolute URL, without the query ("http://h:1/a/b?x" -> "/a/b"). */
const pathOf = (url: string) => {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const query = url.indexOf("?", start);
  return url.slice(start, query < 0 ? undefined : query);
};

export type RouteInfo = { method: string; path: string; hooks?: unknown };

/**
 * The global parse hook. Routes declared with `parse: "none"` (the MCP transport reads the request
 * itself) are found from the app's own route table and get a `null` body, which stops Elysia's later
 * parsers without touching the stream (a global hook otherwise runs for them too).
 */
export function strictJsonPlugin(maxBytes: number, routes: () => readonly RouteInfo[]) {
  let unparsed: ((method: string, path: string) => boolean) | undefined;
  const matcher = () => {
    const none = routes().filter((r) => {
      const parse = (r.hooks as { parse?: unknown } | undefined)?.parse;
      const list = Array.isArray(parse) ? parse : [parse];
      return list.some((p) => p === "none" || (p as { fn?: unknown } | undefined)?.fn === "none");
    });
    const patterns = none.map((r) => ({
      method: r.method.toUpperCase(),
      re: new RegExp(
        `^${r.path
          .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
          .replace(/:[^/]+/g, "[^/]+")
          .replace(/\*/g, ".*")}$`,
      ),
    }));
    return (method: string, path: string) => patterns.some((p) => p.method === method && p.re.test(path));
  };
  return new Elysia({ name: "http.body" }).onParse({ as: "global" }, async ({ request }, contentType) => {
    unparsed ??= matcher();
    // From the URL: the context's `path` is only filled in when a handler asks for it (Bun adapter).
    if (unparsed(request.method, pathOf(request.url))) return null;
    if (!isJsonType(contentType)) return undefined;
    return readJsonObject(request, maxBytes);
  });
}
