// The per-secret allowlists of PRODUCT.md §5, as pure functions of the final URL and the metadata.
import { formatIp, parseHostIp } from "@gatehouse/core/net";

const list = (raw: string | undefined): string[] =>
  (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const effectivePort = (u: URL) => u.port || (u.protocol === "https:" ? "443" : "80");

interface DomainEntry {
  host: string;
  /** `*.example.com` / `.example.com`: subdomains only. */
  subdomainsOnly: boolean;
  port?: string;
}

/** One `allowed_domains` entry, normalized like a URL host (IDN to punycode, IPv4 spellings to dotted quads). */
function parseDomain(raw: string): DomainEntry | null {
  let e = raw
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  e = e.replace(/[/?#].*$/, "");
  let subdomainsOnly = false;
  if (e.startsWith("*.")) {
    subdomainsOnly = true;
    e = e.slice(2);
  } else if (e.startsWith(".")) {
    subdomainsOnly = true;
    e = e.slice(1);
  }
  if (!e || e.includes("*") || e.includes("@")) return null;
  try {
    const u = new URL(`http://${e}`);
    if (u.pathname !== "/" || u.username || u.password) return null;
    return { host: u.hostname.replace(/\.$/, ""), subdomainsOnly, port: u.port || undefined };
  } catch {
    return null;
  }
}

interface ParsedEntry extends DomainEntry {
  /** The entry's address in canonical form when it is an IP (any spelling), else null. */
  ip: string | null;
}

// allowed_domains strings repeat on every call: each distinct list is parsed once (bounded).
const parsedLists = new Map<string, ParsedEntry[]>();
const MAX_PARSED_LISTS = 1024;

function parsedEntries(entries: readonly string[]): ParsedEntry[] {
  const key = entries.join("\n");
  let parsed = parsedLists.get(key);
  if (!parsed) {
    parsed = [];
    for (const raw of entries) {
      const e = parseDomain(raw);
      if (!e) continue;
      const ip = parseHostIp(e.host);
      parsed.push({ ...e, ip: ip ? formatIp(ip) : null });
    }
    if (parsedLists.size >= MAX_PARSED_LISTS) parsedLists.clear();
    parsedLists.set(key, parsed);
  }
  return parsed;
}

export function allowedDomains(metadata: Record<string, string>): string[] {
  return list(metadata.allowed_domains);
}

/** Exact host or a subdomain of an entry (IP entries: that address only); a port in the entry must match. */
export function domainAllowed(url: URL, entries: readonly string[]): boolean {
  const host = url.hostname.replace(/\.$/, "");
  const parsedIp = parseHostIp(host);
  const ip = parsedIp ? formatIp(parsedIp) : null;
  for (const e of parsedEntries(entries)) {
    if (e.port && e.port !== effectivePort(url)) continue;
    if (ip || e.ip) {
      if (!e.subdomainsOnly && ip !== null && ip === e.ip) return true;
      continue;
    }
    if (!e.subdomainsOnly && host === e.host) return true;
    if (host.endsWith(`.${e.host}`)) return true;
  }
  return false;
}

/**
 * The decoded segments of a normalized path, or null when one is ambiguous: an encoded "/" or "\" (an
 * upstream may decode and split it) or an encoded dot segment, or bad percent-encoding.
 */
function segments(pathname: string): string[] | null {
  const out: string[] = [];
  for (const raw of pathname.split("/").slice(1)) {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (s.includes("/") || s.includes("\\") || s === "." || s === "..") return null;
    out.push(s);
  }
  return out;
}

export function allowedPathPrefixes(metadata: Record<string, string>): string[] {
  return list(metadata.allowed_path_prefixes);
}

/**
 * Segment-aligned prefix match on the URL's normalized path: `/repos/me` allows `/repos/me` and
 * `/repos/me/x`, not `/repos/meme`, and not `/repos/me/../x` (the URL parser has already resolved it).
 */
export function pathAllowed(url: URL, prefixes: readonly string[]): boolean {
  const segs = segments(url.pathname);
  if (!segs) return false;
  for (const raw of prefixes) {
    let p: string[] | null;
    try {
      p = segments(new URL(raw.startsWith("/") ? raw : `/${raw}`, "http://prefix.invalid").pathname);
    } catch {
      continue;
    }
    if (!p) continue;
    if (p[p.length - 1] === "") p.pop();
    if (p.length > segs.length) continue;
    if (p.every((s, i) => segs[i] === s)) return true;
  }
  return false;
}

/** Metadata flags are strings; only "true" turns one on. */
export const flag = (metadata: Record<string, string>, key: string) =>
  metadata[key]?.trim().toLowerCase() === "true";
