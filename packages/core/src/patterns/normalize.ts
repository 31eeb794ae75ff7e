// URL templates: the same endpoint called with different ids collapses to one pattern.
//   UUID -> :id, YYYY-MM-DD (optionally with a time) -> :date, all digits -> :num,
//   40/64 hex digits (commit and content hashes) -> :hash;
//   the fragment is dropped; query keys are kept, sorted and deduplicated, with their values emptied;
//   scheme and host[:port] are kept (lower-cased by the URL parser, default ports dropped).

export interface NormalizedUrl {
  /** `https://api.github.com/repos/:num/issues?per_page=` */
  template: string;
  /** host[:port] as the URL parser wrote it. */
  host: string;
  /** The path part of the template (no query), e.g. for audit entries. */
  path: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
const DIGITS = /^\d+$/;
const HASH = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
// `{{secret:path}}` references stay readable in templates (the URL parser percent-encodes the braces).
const ENCODED_REF = /%7B%7Bsecret:([^%]*?)%7D%7D/gi;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The template form of one path segment (as it appears in the URL, percent-encoded). */
export function normalizePathSegment(segment: string): string {
  if (segment === "") return segment;
  const decoded = decodeSegment(segment);
  if (UUID.test(decoded)) return ":id";
  if (DATE.test(decoded)) return ":date";
  if (DIGITS.test(decoded)) return ":num";
  if (HASH.test(decoded)) return ":hash";
  return segment;
}

const readableRefs = (s: string) => s.replace(ENCODED_REF, (_m, path: string) => `{{secret:${path}}}`);

/** Normalizes an absolute http(s) URL; throws TypeError if `url` does not parse. */
export function normalizeUrl(url: string | URL): NormalizedUrl {
  const u = typeof url === "string" ? new URL(url) : url;
  const path = readableRefs(u.pathname.split("/").map(normalizePathSegment).join("/"));
  const keys = [...new Set([...u.searchParams.keys()])].sort();
  const query = keys.length ? `?${keys.map((k) => `${encodeURIComponent(k)}=`).join("&")}` : "";
  return {
    template: `${u.protocol}//${u.host}${path}${readableRefs(query)}`,
    host: u.host,
    path,
  };
}
