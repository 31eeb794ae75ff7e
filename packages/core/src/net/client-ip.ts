// Client IP (PRODUCT.md §2): the socket peer, unless that peer is a trusted proxy; then
// X-Forwarded-For is walked right to left and the first hop that is not a trusted proxy wins.
import { anyCidrContains, type ParsedCidr, parseCidrList } from "./cidr";
import { formatIp, type ParsedIp, parseIp, unmapIp } from "./ip";

export interface ClientIpInput {
  /** Address of the TCP peer (e.g. Bun's server.requestIP(req).address). */
  socketIp: string;
  /** Every X-Forwarded-For value: one string, or one per header line (joined with commas). */
  xForwardedFor?: string | readonly string[] | null;
  trusted: readonly ParsedCidr[];
}

const PORT_RE = /^[0-9]{1,5}$/;

/**
 * One XFF entry: an address, "[v6]", "[v6]:port" or "v4:port" (some proxies append ports).
 * Anything else (e.g. "unknown", obfuscated RFC 7239 names) is malformed.
 */
function parseHop(entry: string): ParsedIp | null {
  const text = entry.trim();
  const direct = parseIp(text);
  if (direct) return direct;
  const bracketed = /^\[([^\]]+)\]:(.+)$/.exec(text);
  if (bracketed) {
    const [, host = "", port = ""] = bracketed;
    return PORT_RE.test(port) && host.includes(":") ? parseIp(host) : null;
  }
  const colon = text.lastIndexOf(":");
  if (colon > 0 && text.indexOf(":") === colon && PORT_RE.test(text.slice(colon + 1))) {
    const ip = parseIp(text.slice(0, colon));
    return ip?.version === 4 ? ip : null;
  }
  return null;
}

/** Canonical text, with v4-mapped addresses shown as IPv4 (dual-stack sockets report those). */
const show = (ip: ParsedIp): string => formatIp(unmapIp(ip));

/**
 * Resolves the client address that every IP-based control uses.
 *
 * - Untrusted peer: the socket address; X-Forwarded-For is ignored (anyone can send it).
 * - Trusted peer: walk X-Forwarded-For right to left; the first hop that is not a trusted proxy
 *   is the client. If every hop is trusted, the leftmost one is.
 * - A malformed hop stops the walk and the last address we could verify is returned: the hop to
 *   its right (or the socket peer), which is a trusted proxy. We never skip over a malformed
 *   entry, since whatever lies left of it was not vouched for by a proxy we trust.
 * - A socket address that does not parse is returned trimmed, unchanged: it matches no CIDR, so
 *   allowlists fail closed.
 */
export function resolveClientIp({ socketIp, xForwardedFor, trusted }: ClientIpInput): string {
  const socket = parseIp(socketIp);
  if (!socket) return String(socketIp ?? "").trim();
  if (!anyCidrContains(trusted, socket)) return show(socket);

  const header = typeof xForwardedFor === "string" ? xForwardedFor : (xForwardedFor ?? []).join(",");
  if (header.trim() === "") return show(socket);
  const hops = header.split(",");

  let current = socket;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseHop(hops[i] ?? "");
    if (!hop) return show(current);
    if (!anyCidrContains(trusted, hop)) return show(hop);
    current = hop;
  }
  return show(current);
}

const LOOPBACK = ["127.0.0.0/8", "::1/128"];

/**
 * Trusted proxies: loopback unless `trustLoopback` is false (hosts where agents run beside the
 * vault would otherwise be able to spoof X-Forwarded-For), plus GATEHOUSE_TRUSTED_PROXIES.
 */
export function defaultTrustedProxies(
  trustLoopback: boolean,
  extra: string | readonly string[] = [],
): ParsedCidr[] {
  return [
    ...(trustLoopback ? parseCidrList(LOOPBACK) : []),
    ...parseCidrList(extra, "GATEHOUSE_TRUSTED_PROXIES"),
  ];
}
