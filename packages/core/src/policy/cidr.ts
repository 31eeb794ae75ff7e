// A small, self-contained IP/CIDR parser for `auto_approve_from` (core must not depend on src/net).
// Strict on purpose: no octal-looking octets, no zone ids, no host bits set in a CIDR.

export interface Cidr {
  bytes: Uint8Array; // 4 (IPv4) or 16 (IPv6) bytes
  prefix: number;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX = /^[0-9a-fA-F]{1,4}$/;

function parseV4(s: string): Uint8Array | undefined {
  const m = V4.exec(s);
  if (!m) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = m[i + 1] ?? "";
    if (part.length > 1 && part.startsWith("0")) return undefined; // "010" is octal to some parsers
    const n = Number(part);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseV6(s: string): Uint8Array | undefined {
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string | undefined) => (h ? h.split(":") : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const words: number[] = [];
  const push = (list: string[], allowV4: boolean): boolean => {
    for (let i = 0; i < list.length; i++) {
      const g = list[i] ?? "";
      if (allowV4 && i === list.length - 1 && g.includes(".")) {
        const v4 = parseV4(g);
        if (!v4) return false;
        words.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (HEX.test(g)) words.push(Number.parseInt(g, 16));
      else return false;
    }
    return true;
  };
  const compressed = halves.length === 2;
  if (!push(head, !compressed)) return undefined;
  const headLen = words.length;
  if (compressed && !push(tail, true)) return undefined;
  const missing = 8 - words.length;
  if (compressed ? missing < 1 : missing !== 0) return undefined;
  if (compressed) words.splice(headLen, 0, ...new Array<number>(missing).fill(0));
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

const isV4Mapped = (b: Uint8Array) =>
  b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;

/** Parse an address; IPv4-mapped IPv6 (`::ffff:10.0.0.1`) becomes plain IPv4 so it matches IPv4 CIDRs. */
export function parseIp(s: string): Uint8Array | undefined {
  if (s.includes(".") && !s.includes(":")) return parseV4(s);
  if (!s.includes(":")) return undefined;
  const b = parseV6(s);
  return b && isV4Mapped(b) ? b.slice(12) : b;
}

/** Parse `addr/prefix` (or a bare address, meaning a single host); a string is the error message. */
export function parseCidr(s: string): Cidr | string {
  const slash = s.indexOf("/");
  const addr = slash < 0 ? s : s.slice(0, slash);
  const bytes = addr.includes(":") ? parseV6(addr) : parseV4(addr);
  if (!bytes) return `"${s}" is not a valid IP address or CIDR`;
  const max = bytes.length * 8;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return `"${s}" has an invalid prefix length (0-${max})`;
    prefix = Number(p);
  }
  for (let bit = prefix; bit < max; bit++) {
    if (((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1) return `"${s}" has host bits set after /${prefix}`;
  }
  return { bytes, prefix };
}

export function cidrContains(c: Cidr, ip: Uint8Array): boolean {
  if (c.bytes.length !== ip.length) return false;
  const full = c.prefix >> 3;
  for (let i = 0; i < full; i++) if (c.bytes[i] !== ip[i]) return false;
  const rem = c.prefix & 7;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return ((c.bytes[full] ?? 0) & mask) === ((ip[full] ?? 0) & mask);
}
