import { type ParsedIp, parseIp, parseIpv4Bytes } from "./ip";
import { parseIpv4Literal } from "./ipv4-literal";

/**
 * The address a URL host denotes, if it is a literal: "[v6]" or bare IPv6, or IPv4 in any
 * encoding the URL parser or inet_aton accepts ("0x7f.1", "2130706433"). Null for a domain name.
 */
export function parseHostIp(host: string): ParsedIp | null {
  if (typeof host !== "string") return null;
  const strict = parseIp(host);
  if (strict) return strict;
  const v4 = parseIpv4Literal(host);
  const bytes = v4 ? parseIpv4Bytes(v4) : null;
  return bytes ? { version: 4, bytes } : null;
}
