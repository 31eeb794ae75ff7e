import { GatehouseError } from "../errors";
import { formatIp, type IpVersion, mapIpv4, type ParsedIp, parseIp, unmapIp } from "./ip";

export interface ParsedCidr {
  version: IpVersion;
  /** Network address (host bits cleared). */
  bytes: Uint8Array;
  prefix: number;
}

const PREFIX_RE = /^(0|[1-9][0-9]{0,2})$/;

function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    out[i] = (out[i] ?? 0) & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/** Raw prefix comparison of same-length byte strings (no v4/v6 mapping). */
export function prefixMatches(network: Uint8Array, prefix: number, addr: Uint8Array): boolean {
  const full = prefix >> 3;
  for (let i = 0; i < full; i++) if (network[i] !== addr[i]) return false;
  const rest = prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((network[full] ?? 0) & mask) === ((addr[full] ?? 0) & mask);
}

/**
 * "10.0.0.0/8", "fd00::/8", or a bare address (/32 or /128). Host bits are cleared
 * ("192.168.1.7/24" means 192.168.1.0/24). A v4-mapped IPv6 range ("::ffff:10.0.0.0/104")
 * is stored as its IPv4 equivalent so both spellings behave the same.
 */
export function tryParseCidr(input: string): ParsedCidr | null {
  if (typeof input !== "string") return null;
  const text = input.trim();
  const slash = text.indexOf("/");
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!ip) return null;
  const max = ip.version === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (!PREFIX_RE.test(p)) return null;
    prefix = Number(p);
    if (prefix > max) return null;
  }
  const unmapped = unmapIp(ip);
  if (unmapped.version === 4 && ip.version === 6 && prefix >= 96) {
    return { version: 4, bytes: maskBytes(unmapped.bytes, prefix - 96), prefix: prefix - 96 };
  }
  return { version: ip.version, bytes: maskBytes(ip.bytes, prefix), prefix };
}

export function parseCidr(input: string, field = "cidr"): ParsedCidr {
  const cidr = tryParseCidr(input);
  if (!cidr) {
    throw new GatehouseError("invalid_request", `${field}: invalid CIDR or IP address "${clip(input)}"`, {
      field,
      entry: clip(input),
    });
  }
  return cidr;
}

// Non-strings are named by type: String() throws on JSON like {"toString": ""} (a 500 instead of a
// 400 for any caller that passes unvalidated input; found by the fuzz suite).
const clip = (value: unknown): string =>
  typeof value === "string" ? value.slice(0, 100) : `(${typeof value})`;

/**
 * A list from config: an array, or one string separated by commas and/or whitespace (as in
 * GATEHOUSE_TRUSTED_PROXIES). The error names the bad entry and its position.
 */
export function parseCidrList(input: string | readonly string[], field = "cidrs"): ParsedCidr[] {
  const entries = typeof input === "string" ? input.split(/[\s,]+/).filter((e) => e !== "") : input;
  return entries.map((entry, index) => {
    const cidr = tryParseCidr(entry);
    if (!cidr) {
      throw new GatehouseError(
        "invalid_request",
        `${field}: entry ${index + 1} "${clip(entry)}" is not a valid CIDR or IP address`,
        { field, entry: clip(entry), index },
      );
    }
    return cidr;
  });
}

export const formatCidr = (cidr: ParsedCidr): string =>
  `${formatIp({ version: cidr.version, bytes: cidr.bytes })}/${cidr.prefix}`;

const asIp = (ip: ParsedIp | string): ParsedIp | null => (typeof ip === "string" ? parseIp(ip) : ip);

/**
 * Whether `ip` is inside `cidr`. IPv4 addresses and their v4-mapped IPv6 forms are the same
 * host: "::ffff:10.1.2.3" is in 10.0.0.0/8 and "10.1.2.3" is in ::ffff:0:0/96 and ::/0.
 * An address that does not parse is in no range (fail closed for allowlists).
 */
export function cidrContains(cidr: ParsedCidr | string, ip: ParsedIp | string): boolean {
  const range = typeof cidr === "string" ? parseCidr(cidr) : cidr;
  const parsed = asIp(ip);
  if (!parsed) return false;
  const addr = unmapIp(parsed);
  if (range.version === addr.version) return prefixMatches(range.bytes, range.prefix, addr.bytes);
  if (range.version === 6) return prefixMatches(range.bytes, range.prefix, mapIpv4(addr).bytes);
  return false;
}

export function anyCidrContains(list: readonly ParsedCidr[], ip: ParsedIp | string): boolean {
  const parsed = asIp(ip);
  if (!parsed) return false;
  return list.some((cidr) => cidrContains(cidr, parsed));
}
