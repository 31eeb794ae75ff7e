// Strict IP address parsing and canonical formatting (RFC 5952 for IPv6).
// Strict means what config files and headers should contain: dotted-quad IPv4 without leading
// zeros (which inet_aton would read as octal) and standard IPv6. For URL hosts, where every
// legacy IPv4 encoding must be recognised, see parseHostIp.

export type IpVersion = 4 | 6;

export interface ParsedIp {
  version: IpVersion;
  /** 4 bytes for IPv4, 16 for IPv6, network order. */
  bytes: Uint8Array;
}

const DEC_OCTET_RE = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP_RE = /^[0-9a-fA-F]{1,4}$/;
// A zone id ("fe80::1%eth0") only scopes link-local traffic to an interface; it is stripped.
const ZONE_RE = /^[^\s%/[\]]+$/;

export function parseIpv4Bytes(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? "";
    if (!DEC_OCTET_RE.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

export function parseIpv6Bytes(input: string): Uint8Array | null {
  let text = input;
  const zoneAt = text.indexOf("%");
  if (zoneAt !== -1) {
    if (!ZONE_RE.test(text.slice(zoneAt + 1))) return null;
    text = text.slice(0, zoneAt);
  }
  if (text.length < 2 || text.length > 45) return null;

  const groups: number[] = [];
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parseHalf = (half: string, allowV4Tail: boolean): number[] | null => {
    if (half === "") return [];
    const out: number[] = [];
    const parts = half.split(":");
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? "";
      if (allowV4Tail && i === parts.length - 1 && part.includes(".")) {
        const v4 = parseIpv4Bytes(part);
        if (!v4) return null;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else {
        if (!HEX_GROUP_RE.test(part)) return null;
        out.push(Number.parseInt(part, 16));
      }
    }
    return out;
  };

  if (halves.length === 2) {
    const left = parseHalf(halves[0] ?? "", false);
    const right = parseHalf(halves[1] ?? "", true);
    if (!left || !right || left.length + right.length > 7) return null;
    groups.push(...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right);
  } else {
    const all = parseHalf(text, true);
    if (all?.length !== 8) return null;
    groups.push(...all);
  }

  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** Parses a strict IPv4 or IPv6 address; `[v6]` brackets and zone ids are accepted and dropped. */
export function parseIp(input: string): ParsedIp | null {
  if (typeof input !== "string") return null;
  let text = input.trim();
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  if (text.includes(":")) {
    const bytes = parseIpv6Bytes(text);
    return bytes ? { version: 6, bytes } : null;
  }
  const bytes = parseIpv4Bytes(text);
  return bytes ? { version: 4, bytes } : null;
}

const isV4MappedBytes = (b: Uint8Array): boolean =>
  b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;

export const isV4Mapped = (ip: ParsedIp): boolean => ip.version === 6 && isV4MappedBytes(ip.bytes);

/** `::ffff:a.b.c.d` becomes `a.b.c.d`; anything else is returned unchanged. */
export const unmapIp = (ip: ParsedIp): ParsedIp =>
  isV4Mapped(ip) ? { version: 4, bytes: ip.bytes.slice(12) } : ip;

/** The v4-mapped IPv6 form of an IPv4 address. */
export function mapIpv4(ip: ParsedIp): ParsedIp {
  if (ip.version === 6) return ip;
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(ip.bytes, 12);
  return { version: 6, bytes };
}

const dotted = (b: Uint8Array): string => Array.from(b).join(".");

/** Canonical text: dotted decimal, or RFC 5952 IPv6 (lowercase, longest zero run compressed). */
export function formatIp(ip: ParsedIp): string {
  if (ip.version === 4) return dotted(ip.bytes);
  if (isV4MappedBytes(ip.bytes)) return `::ffff:${dotted(ip.bytes.subarray(12))}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip.bytes[i] ?? 0) << 8) | (ip.bytes[i + 1] ?? 0));
  // Longest run of zero groups (length >= 2, leftmost on ties) becomes "::".
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** Canonical text of a strict address, or null when it does not parse. */
export function canonicalIp(input: string): string | null {
  const ip = parseIp(input);
  return ip ? formatIp(ip) : null;
}
