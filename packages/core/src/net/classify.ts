// Address classes for SSRF checks (PRODUCT.md §5). IPv6 forms that carry an IPv4 address
// (v4-mapped, NAT64, 6to4, Teredo, v4-compatible) are classified by the embedded address, so
// "::ffff:127.0.0.1" or "64:ff9b::a9fe:a9fe" cannot slip past a check written for IPv4.
import { GatehouseError } from "../errors";
import { type ParsedCidr, prefixMatches, tryParseCidr } from "./cidr";
import { parseHostIp } from "./host";
import type { ParsedIp } from "./ip";

export type IpClass =
  | "loopback"
  | "private"
  | "link_local"
  | "cgnat"
  | "ula"
  | "metadata"
  | "multicast"
  | "unspecified"
  | "reserved"
  | "public";

function table(rows: [string, IpClass][]): [ParsedCidr, IpClass][] {
  return rows.map(([text, cls]) => {
    const cidr = tryParseCidr(text);
    if (!cidr) throw new Error(`bad built-in range ${text}`);
    return [cidr, cls];
  });
}

// First match wins, so the single metadata addresses come before the ranges holding them.
const V4 = table([
  ["169.254.169.254/32", "metadata"], // AWS, GCP, Azure, OpenStack, DigitalOcean... instance metadata
  ["169.254.169.253/32", "metadata"], // AWS VPC DNS
  ["169.254.169.123/32", "metadata"], // AWS time sync
  ["169.254.170.2/32", "metadata"], // AWS ECS task credentials
  ["169.254.170.23/32", "metadata"], // AWS EKS pod identity
  ["100.100.100.200/32", "metadata"], // Alibaba Cloud
  ["192.0.0.192/32", "metadata"], // Oracle Cloud
  ["168.63.129.16/32", "metadata"], // Azure wire server
  ["0.0.0.0/8", "unspecified"], // 0.0.0.0 connects to the local host on Linux
  ["127.0.0.0/8", "loopback"],
  ["10.0.0.0/8", "private"],
  ["172.16.0.0/12", "private"],
  ["192.168.0.0/16", "private"],
  ["169.254.0.0/16", "link_local"],
  ["100.64.0.0/10", "cgnat"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved"], // includes 255.255.255.255
  ["192.0.0.0/24", "reserved"],
  ["192.0.2.0/24", "reserved"],
  ["192.88.99.0/24", "reserved"],
  ["198.18.0.0/15", "reserved"],
  ["198.51.100.0/24", "reserved"],
  ["203.0.113.0/24", "reserved"],
]);

// Checked before looking for an embedded IPv4 (:: and ::1 would otherwise read as v4-compatible).
const V6_EXACT = table([
  ["fd00:ec2::254/128", "metadata"], // AWS instance metadata
  ["fd00:ec2::253/128", "metadata"], // AWS DNS
  ["fd00:ec2::123/128", "metadata"], // AWS time sync
  ["fd20:ce::254/128", "metadata"], // GCP metadata
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
]);

const V6 = table([
  ["fc00::/7", "ula"],
  ["fe80::/10", "link_local"],
  ["fec0::/10", "private"], // deprecated site-local
  ["ff00::/8", "multicast"],
  ["100::/64", "reserved"], // discard-only
  ["2001::/23", "reserved"], // IETF protocol assignments (Teredo is handled first)
  ["2001:db8::/32", "reserved"],
  ["3fff::/20", "reserved"],
  ["5f00::/16", "reserved"],
  ["2000::/3", "public"],
  ["::/0", "reserved"], // everything outside global unicast
]);

function lookup(rows: [ParsedCidr, IpClass][], bytes: Uint8Array): IpClass | null {
  for (const [cidr, cls] of rows) if (prefixMatches(cidr.bytes, cidr.prefix, bytes)) return cls;
  return null;
}

const classifyV4 = (bytes: Uint8Array): IpClass => lookup(V4, bytes) ?? "public";

const startsWith = (bytes: Uint8Array, prefix: number[]): boolean => prefix.every((b, i) => bytes[i] === b);

/** Class of the IPv4 address an IPv6 address carries, or null when it carries none. */
function embeddedClass(b: Uint8Array): IpClass | null {
  const zeros = (n: number) => new Array<number>(n).fill(0);
  const last32 = b.subarray(12, 16);
  // ::ffff:0:0/96 v4-mapped and ::ffff:0:0:0/96 v4-translated: the same host as the IPv4.
  if (startsWith(b, [...zeros(10), 0xff, 0xff]) || startsWith(b, [...zeros(8), 0xff, 0xff, 0, 0])) {
    return classifyV4(last32);
  }
  // 64:ff9b::/96 well-known NAT64 prefix: translated to the embedded IPv4.
  if (startsWith(b, [0, 0x64, 0xff, 0x9b, ...zeros(8)])) return classifyV4(last32);
  // 64:ff9b:1::/48 local-use NAT64: never public, embedded class if it is a local one.
  if (startsWith(b, [0, 0x64, 0xff, 0x9b, 0, 1])) return nonPublic(classifyV4(last32), "reserved");
  // ::a.b.c.d deprecated v4-compatible (:: and ::1 excluded).
  if (startsWith(b, zeros(12)) && (b[12] || b[13] || b[14] || (b[15] ?? 0) > 1)) {
    return nonPublic(classifyV4(last32), "reserved");
  }
  // 2002::/16 6to4: the IPv4 is in bits 16-47.
  if (b[0] === 0x20 && b[1] === 0x02) return nonPublic(classifyV4(b.subarray(2, 6)), "public");
  // 2001::/32 Teredo: server IPv4 in bits 32-63, client IPv4 inverted in the last 32 bits.
  if (startsWith(b, [0x20, 0x01, 0, 0])) {
    const client = last32.map((x) => ~x & 0xff);
    return nonPublic(classifyV4(client), nonPublic(classifyV4(b.subarray(4, 8)), "public"));
  }
  return null;
}

const nonPublic = (cls: IpClass, otherwise: IpClass): IpClass => (cls === "public" ? otherwise : cls);

function classifyParsed(ip: ParsedIp): IpClass {
  if (ip.version === 4) return classifyV4(ip.bytes);
  return lookup(V6_EXACT, ip.bytes) ?? embeddedClass(ip.bytes) ?? lookup(V6, ip.bytes) ?? "reserved";
}

/**
 * Class of an address. Strings may be any IP literal a URL host can hold, including every
 * legacy IPv4 encoding ("0177.0.0.1", "2130706433"). Throws invalid_request for anything else.
 */
export function classifyIp(ip: ParsedIp | string): IpClass {
  const parsed = typeof ip === "string" ? parseHostIp(ip) : ip;
  if (!parsed) throw new GatehouseError("invalid_request", "not an IP address");
  return classifyParsed(parsed);
}

/** True for every class except "public", and for input that is not an address (fail closed). */
export function isPrivateOrLocal(ip: ParsedIp | string): boolean {
  const parsed = typeof ip === "string" ? parseHostIp(ip) : ip;
  return !parsed || classifyParsed(parsed) !== "public";
}
