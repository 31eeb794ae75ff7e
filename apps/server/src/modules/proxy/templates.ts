import { randomBytes } from "node:crypto";
import { GatehouseError, invalid } from "@gatehouse/core";
import { checkPath } from "../secrets/rows";

// `{{secret:path}}` references. A "{{secret:" that does not form one is refused rather than sent as text.
const REF = /\{\{secret:([^{}\s]{1,256})\}\}/g;
const OPENING = /\{\{\s*secret\s*:/i;

/** The secret paths a string references, validated; throws on a malformed reference. */
export function refsIn(text: string, field: string): string[] {
  const paths = [...text.matchAll(REF)].map((m) => m[1] as string);
  if (OPENING.test(text.replace(REF, ""))) throw invalid(field, "malformed {{secret:path}} reference");
  for (const p of paths) checkRef(p, field);
  return paths;
}

function checkRef(path: string, field: string) {
  try {
    checkPath(path);
  } catch (e) {
    throw new GatehouseError("path_invalid", `${field}: ${(e as Error).message}`, { field });
  }
}

/** Replaces each reference with `encode(value)`. */
export function fill(text: string, values: ReadonlyMap<string, string>, encode = (v: string) => v): string {
  return text.replace(REF, (_m, path: string) => {
    const v = values.get(path);
    if (v === undefined) throw new Error(`unresolved reference ${path}`);
    return encode(v);
  });
}

export interface TemplateUrl {
  /** The pre-injection URL (fragment dropped), for patterns and audit. */
  template: URL;
  /** Builds the final URL from the opened values (references URL-encoded), re-parsed and normalized. */
  build(values: ReadonlyMap<string, string>): URL;
}

/**
 * Parses a URL whose path and query may hold references. Each reference is swapped for an opaque
 * placeholder the URL parser leaves alone, so the scheme, host, port and userinfo can be checked to
 * hold none; the final URL is built by putting the URL-encoded values where the placeholders are.
 */
export function parseTemplateUrl(raw: string): TemplateUrl {
  // Most calls reference no secret in the URL (credentials go in headers): one parse, no placeholders.
  const nonce = raw.includes("{{") ? randomBytes(8).toString("hex") : "";
  const holders = new Map<string, string>();
  let i = 0;
  const masked =
    nonce === ""
      ? raw
      : raw.replace(REF, (_m, path: string) => {
          const h = `ghref${nonce}n${i++}x`;
          holders.set(h, path);
          return h;
        });
  let u: URL;
  try {
    u = new URL(masked);
  } catch {
    throw invalid("url", "must be an absolute URL");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw invalid("url", "only http and https are allowed");
  if (
    (nonce !== "" && [u.protocol, u.hostname, u.port].some((part) => part.includes(nonce))) ||
    /\{\{/.test(raw.split("/")[2] ?? "")
  )
    throw invalid("url", "{{secret:}} references are not allowed in the scheme or host");
  if (u.username || u.password) throw invalid("url", "credentials in the URL are not allowed; use inject");
  if (!u.hostname) throw invalid("url", "has no host");
  u.hash = "";
  const unmask = (s: string, encode: (path: string) => string) => {
    let out = s;
    for (const [h, path] of holders) out = out.split(h).join(encode(path));
    return out;
  };
  if (holders.size === 0) return { template: u, build: () => new URL(u.href) };
  const template = new URL(unmask(u.href, (path) => `{{secret:${path}}}`));
  return {
    template,
    build(values) {
      const href = unmask(u.href, (path) => {
        const v = values.get(path);
        if (v === undefined) throw new Error(`unresolved reference ${path}`);
        return encodeURIComponent(v);
      });
      return new URL(href);
    },
  };
}

/** The JSON-string-escaped form of a value, for references inside a JSON body. */
export const jsonEscaped = (v: string) => JSON.stringify(v).slice(1, -1);
