import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { isGatehouseError } from "../src/errors";
import {
  anyCidrContains,
  canonicalIp,
  cidrContains,
  classifyIp,
  defaultTrustedProxies,
  formatCidr,
  formatIp,
  isPrivateOrLocal,
  mapIpv4,
  type ParsedIp,
  parseCidr,
  parseCidrList,
  parseHostIp,
  parseIp,
  parseIpv4Literal,
  resolveClientIp,
} from "../src/net";

const v4Bytes = fc.uint8Array({ minLength: 4, maxLength: 4 });
const v6Bytes = fc.uint8Array({ minLength: 16, maxLength: 16 });
const v4 = (bytes: Uint8Array): ParsedIp => ({ version: 4, bytes });
const v6 = (bytes: Uint8Array): ParsedIp => ({ version: 6, bytes });
const toBig = (bytes: Uint8Array) => bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);

describe("parseIp / formatIp", () => {
  test.each([
    ["1.2.3.4", "1.2.3.4"],
    [" 10.0.0.1 ", "10.0.0.1"],
    ["::", "::"],
    ["::1", "::1"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["2001:DB8::A", "2001:db8::a"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:0db8:0000:0000:0000:0000:0002:0001", "2001:db8::2:1"],
    ["1:0:0:4:0:0:0:8", "1:0:0:4::8"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["1::", "1::"],
    ["::ffff:1.2.3.4", "::ffff:1.2.3.4"],
    ["::ffff:0102:0304", "::ffff:1.2.3.4"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
    ["fe80::1%eth0", "fe80::1"],
    ["[2001:db8::1]", "2001:db8::1"],
  ])("%s -> %s", (input, canonical) => {
    expect(canonicalIp(input)).toBe(canonical);
  });

  test.each([
    "",
    "1.2.3",
    "1.2.3.4.5",
    "01.2.3.4",
    "256.1.1.1",
    "1.2.3.-4",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    ":1::",
    "1:2:3:4:5:6:7:8::",
    "12345::",
    "::g",
    "1.2.3.4::",
    "::1.2.3",
    "fe80::1%",
    "fe80::1%a b",
    "2130706433",
    "localhost",
  ])("refuses %p", (input) => {
    expect(parseIp(input)).toBeNull();
  });

  test("format -> parse round-trips for random addresses (property)", () => {
    fc.assert(
      fc.property(fc.oneof(v4Bytes.map(v4), v6Bytes.map(v6)), (ip) => {
        const text = formatIp(ip);
        expect(parseIp(text)).toEqual(ip);
        expect(canonicalIp(text)).toBe(text);
      }),
    );
  });

  test("agrees with the WHATWG URL parser on IPv6 canonical form (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          v6Bytes,
          v4Bytes.map((b) => mapIpv4(v4(b)).bytes),
        ),
        (bytes) => {
          const text = formatIp(v6(bytes));
          const viaUrl = new URL(`http://[${text}]/`).hostname;
          // WHATWG prints v4-mapped addresses in hex; RFC 5952 recommends the dotted tail.
          if (text.includes(".")) expect(parseIp(viaUrl)).toEqual(v6(bytes));
          else expect(viaUrl).toBe(`[${text}]`);
        },
      ),
    );
  });
});

describe("parseIpv4Literal", () => {
  test.each([
    ["127.0.0.1", "127.0.0.1"],
    ["2130706433", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["0x7f.0.0.1", "127.0.0.1"],
    ["0X7F.0.0.1", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["127.0.1", "127.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
    ["0x7f000001", "127.0.0.1"],
    ["017700000001", "127.0.0.1"],
    ["127.0.0.1.", "127.0.0.1"],
    ["0", "0.0.0.0"],
    ["0x", "0.0.0.0"],
    ["169.254.43518", "169.254.169.254"],
    ["0xa9.0376.0xa9fe", "169.254.169.254"],
    ["4294967295", "255.255.255.255"],
    ["１２７。０。０。１", "127.0.0.1"],
    ["127．0．0．1", "127.0.0.1"],
    ["%31%32%37.0.0.1", "127.0.0.1"],
  ])("%s -> %s", (input, expected) => {
    expect(parseIpv4Literal(input)).toBe(expected);
  });

  test.each([
    "",
    "example.com",
    "1.2.3.4.5",
    "127.0.0.1..",
    ".127.0.0.1",
    "4294967296",
    "256.0.0.1",
    "1.16777216",
    "08.0.0.1",
    "0xg.0.0.1",
    "1.2.3.a",
    "%zz",
    "::1",
  ])("refuses %p", (input) => {
    expect(parseIpv4Literal(input)).toBeNull();
  });

  const encodePart = (n: number, style: number): string =>
    style === 0 ? String(n) : style === 1 ? `0${n.toString(8)}` : `0x${n.toString(16)}`;

  test("every encoding of a random address parses back to it (property)", () => {
    fc.assert(
      fc.property(
        fc.nat(0xffffffff),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }),
        fc.boolean(),
        (value, count, styles, trailingDot) => {
          const bytes = [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
          const canonical = bytes.join(".");
          // The first count-1 parts are single bytes; the last part carries the remaining bytes.
          const head = bytes.slice(0, count - 1);
          const tail = bytes.slice(count - 1).reduce((acc, b) => acc * 256 + b, 0);
          const parts = [...head, tail].map((n, i) => encodePart(n, styles[i] ?? 0));
          const host = parts.join(".") + (trailingDot ? "." : "");
          expect(parseIpv4Literal(host)).toBe(canonical);
          expect(parseHostIp(host)).toEqual({ version: 4, bytes: new Uint8Array(bytes) });
          // The WHATWG URL parser (what fetch uses) reads it the same way.
          expect(new URL(`http://${host}/`).hostname).toBe(canonical);
        },
      ),
    );
  });

  test("agrees with the WHATWG URL parser on random numeric hosts (property)", () => {
    const part = fc.oneof(
      fc.nat(70000).map(String),
      fc.nat(0x1ffffffff).map(String),
      fc.nat(300).map((n) => `0${n.toString(8)}`),
      fc.nat(300).map((n) => `0x${n.toString(16)}`),
      fc.constantFrom("", "0x", "08", "0xg", "00", "0"),
    );
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), fc.boolean(), (parts, dot) => {
        const host = parts.join(".") + (dot ? "." : "");
        let viaUrl: string | null = null;
        try {
          viaUrl = new URL(`http://${host}/`).hostname;
        } catch {
          viaUrl = null;
        }
        // Hosts like "." are domains to the URL parser, not addresses.
        const isV4 = viaUrl !== null && /^\d+\.\d+\.\d+\.\d+$/.test(viaUrl);
        expect(parseIpv4Literal(host)).toBe(isV4 ? viaUrl : null);
      }),
      { numRuns: 500 },
    );
  });
});

describe("CIDR", () => {
  test("parses, masks host bits, and formats", () => {
    expect(formatCidr(parseCidr("10.0.0.0/8"))).toBe("10.0.0.0/8");
    expect(formatCidr(parseCidr("192.168.1.7/24"))).toBe("192.168.1.0/24");
    expect(formatCidr(parseCidr("10.1.2.3"))).toBe("10.1.2.3/32");
    expect(formatCidr(parseCidr("2001:db8::1"))).toBe("2001:db8::1/128");
    expect(formatCidr(parseCidr("2001:db8:ffff::/33"))).toBe("2001:db8:8000::/33");
    expect(formatCidr(parseCidr("::ffff:10.0.0.0/104"))).toBe("10.0.0.0/8");
    expect(formatCidr(parseCidr("0.0.0.0/0"))).toBe("0.0.0.0/0");
  });

  test.each(["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/08", "10.0.0/8", "10.0.0.0/8/8", "x", ""])(
    "refuses %p",
    (input) => {
      try {
        parseCidr(input);
        throw new Error("accepted");
      } catch (e) {
        expect(isGatehouseError(e) && e.code).toBe("invalid_request");
      }
    },
  );

  test("parseCidrList takes arrays or comma/space separated text and names the bad entry", () => {
    expect(parseCidrList("10.0.0.0/8, 192.168.0.0/16 ::1").map(formatCidr)).toEqual([
      "10.0.0.0/8",
      "192.168.0.0/16",
      "::1/128",
    ]);
    expect(parseCidrList([])).toEqual([]);
    try {
      parseCidrList(["10.0.0.0/8", "10.0.0.300/32"], "ip_allowlist");
      throw new Error("accepted");
    } catch (e) {
      expect(isGatehouseError(e) && e.code).toBe("invalid_request");
      expect((e as Error).message).toContain("10.0.0.300/32");
      expect((e as Error).message).toContain("ip_allowlist");
      expect(isGatehouseError(e) && e.details).toEqual({
        field: "ip_allowlist",
        entry: "10.0.0.300/32",
        index: 1,
      });
    }
  });

  const naive = (bits: number, net: Uint8Array, prefix: number, addr: Uint8Array) => {
    const shift = BigInt(bits - prefix);
    return toBig(net) >> shift === toBig(addr) >> shift;
  };

  test("IPv4 matching agrees with a bigint range check (property)", () => {
    fc.assert(
      fc.property(
        v4Bytes,
        fc.integer({ min: 0, max: 32 }),
        v4Bytes,
        fc.nat(32),
        (net, prefix, addr, near) => {
          // Also test addresses that share a prefix with the network, not only random ones.
          const close = toBig(net) ^ (1n << BigInt(near % 32));
          const closeBytes = new Uint8Array([24, 16, 8, 0].map((s) => Number((close >> BigInt(s)) & 0xffn)));
          const cidr = parseCidr(`${formatIp(v4(net))}/${prefix}`);
          for (const a of [addr, closeBytes, net]) {
            expect(cidrContains(cidr, v4(a))).toBe(naive(32, net, prefix, a));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test("IPv6 matching agrees with a bigint range check (property)", () => {
    fc.assert(
      fc.property(
        v6Bytes,
        fc.integer({ min: 0, max: 128 }),
        v6Bytes,
        fc.nat(127),
        (net, prefix, addr, near) => {
          const close = toBig(net) ^ (1n << BigInt(near));
          const closeBytes = new Uint8Array(16).map((_, i) =>
            Number((close >> BigInt(8 * (15 - i))) & 0xffn),
          );
          const cidr = parseCidr(`${formatIp(v6(net))}/${prefix}`);
          for (const a of [addr, closeBytes, net]) {
            const ip = parseIp(formatIp(v6(a)));
            expect(ip).not.toBeNull();
            if (!ip) return;
            // A v4-mapped network of /96 or longer becomes an IPv4 range; membership must not change.
            expect(cidrContains(cidr, ip)).toBe(naive(128, net, prefix, a));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test("v4-mapped IPv6 addresses match IPv4 ranges like their IPv4 (property)", () => {
    fc.assert(
      fc.property(v4Bytes, fc.integer({ min: 0, max: 32 }), v4Bytes, (net, prefix, addr) => {
        const cidr = `${formatIp(v4(net))}/${prefix}`;
        const plain = formatIp(v4(addr));
        expect(cidrContains(cidr, `::ffff:${plain}`)).toBe(cidrContains(cidr, plain));
        expect(cidrContains(`::ffff:${formatIp(v4(net))}/${prefix + 96}`, plain)).toBe(
          cidrContains(cidr, plain),
        );
      }),
    );
  });

  test("families and bad input", () => {
    expect(cidrContains("10.0.0.0/8", "10.255.0.1")).toBe(true);
    expect(cidrContains("10.0.0.0/8", "11.0.0.1")).toBe(false);
    expect(cidrContains("10.0.0.0/8", "::a00:1")).toBe(false); // v4-compatible is not v4-mapped
    expect(cidrContains("::/0", "1.2.3.4")).toBe(true);
    expect(cidrContains("2001:db8::/32", "1.2.3.4")).toBe(false);
    expect(cidrContains("0.0.0.0/0", "2001:db8::1")).toBe(false);
    expect(cidrContains("0.0.0.0/0", "garbage")).toBe(false);
    expect(anyCidrContains(parseCidrList(["10.0.0.0/8", "::1"]), "::1")).toBe(true);
    expect(anyCidrContains([], "::1")).toBe(false);
  });
});

describe("classifyIp", () => {
  test.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["169.254.1.1", "link_local"],
    ["fe80::1", "link_local"],
    ["100.64.0.1", "cgnat"],
    ["100.127.255.255", "cgnat"],
    ["fd12:3456::1", "ula"],
    ["fc00::1", "ula"],
    ["169.254.169.254", "metadata"],
    ["169.254.170.2", "metadata"],
    ["fd00:ec2::254", "metadata"],
    ["100.100.100.200", "metadata"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["::", "unspecified"],
    ["255.255.255.255", "reserved"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.1", "reserved"],
    ["2001:db8::1", "reserved"],
    ["100::1", "reserved"],
    ["4000::1", "reserved"],
    ["8.8.8.8", "public"],
    ["1.1.1.1", "public"],
    ["2606:4700:4700::1111", "public"],
    // IPv4 carried in IPv6
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:8.8.8.8", "public"],
    ["::ffff:0:10.0.0.1", "private"],
    ["64:ff9b::7f00:1", "loopback"],
    ["64:ff9b::a9fe:a9fe", "metadata"],
    ["64:ff9b::808:808", "public"],
    ["64:ff9b:1::a00:1", "private"],
    ["64:ff9b:1::808:808", "reserved"],
    ["2002:7f00:1::1", "loopback"],
    ["2002:a9fe:a9fe::", "metadata"],
    ["2002:808:808::1", "public"],
    ["::127.0.0.1", "loopback"],
    ["::8.8.8.8", "reserved"],
    ["2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"], // Teredo, client 127.0.0.1
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved"], // Teredo, client 192.0.2.45
    // Legacy IPv4 spellings
    ["2130706433", "loopback"],
    ["0177.0.0.1", "loopback"],
    ["0x7f.1", "loopback"],
    ["0xa9fea9fe", "metadata"],
    ["[::1]", "loopback"],
  ])("%s is %s", (ip, cls) => {
    expect(classifyIp(ip)).toBe(cls as ReturnType<typeof classifyIp>);
  });

  test("v4-mapped, NAT64 and 6to4 forms classify like their IPv4 (property)", () => {
    fc.assert(
      fc.property(v4Bytes, (bytes) => {
        const plain = formatIp(v4(bytes));
        const cls = classifyIp(plain);
        const hex = (i: number) => (((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16);
        expect(classifyIp(`::ffff:${plain}`)).toBe(cls);
        expect(classifyIp(`::ffff:${hex(0)}:${hex(2)}`)).toBe(cls);
        expect(classifyIp(`64:ff9b::${plain}`)).toBe(cls);
        expect(classifyIp(`2002:${hex(0)}:${hex(2)}::1`)).toBe(cls);
        expect(isPrivateOrLocal(`::ffff:${plain}`)).toBe(cls !== "public");
      }),
      { numRuns: 500 },
    );
  });

  test("isPrivateOrLocal fails closed", () => {
    expect(isPrivateOrLocal("8.8.8.8")).toBe(false);
    expect(isPrivateOrLocal("10.0.0.1")).toBe(true);
    expect(isPrivateOrLocal("not an ip")).toBe(true);
    expect(() => classifyIp("example.com")).toThrow();
  });
});

describe("resolveClientIp", () => {
  const loopbackOnly = defaultTrustedProxies(true, []);
  const withLan = defaultTrustedProxies(true, "10.0.0.0/8");
  const none = defaultTrustedProxies(false, []);

  test.each<
    [string, string, string | string[] | undefined, ReturnType<typeof defaultTrustedProxies>, string]
  >([
    ["untrusted peer: XFF ignored", "203.0.113.9", "1.2.3.4", loopbackOnly, "203.0.113.9"],
    ["untrusted peer claiming loopback", "203.0.113.9", "127.0.0.1", loopbackOnly, "203.0.113.9"],
    ["loopback not trusted", "127.0.0.1", "1.2.3.4", none, "127.0.0.1"],
    ["trusted peer, no header", "127.0.0.1", undefined, loopbackOnly, "127.0.0.1"],
    ["trusted peer, blank header", "127.0.0.1", "  ", loopbackOnly, "127.0.0.1"],
    ["trusted peer, one hop", "127.0.0.1", "198.51.100.7", loopbackOnly, "198.51.100.7"],
    ["spoofed left part is skipped", "127.0.0.1", "6.6.6.6, 198.51.100.7", loopbackOnly, "198.51.100.7"],
    [
      "trusted chain walked right to left",
      "127.0.0.1",
      "6.6.6.6, 198.51.100.7, 10.0.0.2, 10.0.0.1",
      withLan,
      "198.51.100.7",
    ],
    ["chain not trusted beyond loopback", "127.0.0.1", "198.51.100.7, 10.0.0.2", loopbackOnly, "10.0.0.2"],
    ["every hop trusted: leftmost", "127.0.0.1", "10.0.0.3, 10.0.0.2", withLan, "10.0.0.3"],
    ["several header lines", "::1", ["6.6.6.6, 198.51.100.7", "10.0.0.9"], withLan, "198.51.100.7"],
    [
      "v4-mapped socket is trusted loopback",
      "::ffff:127.0.0.1",
      "198.51.100.7",
      loopbackOnly,
      "198.51.100.7",
    ],
    ["v4-mapped socket shown as IPv4", "::ffff:203.0.113.9", "1.2.3.4", loopbackOnly, "203.0.113.9"],
    ["IPv6 hop canonicalised", "127.0.0.1", "2001:DB8::0001", loopbackOnly, "2001:db8::1"],
    [
      "ports and brackets tolerated",
      "127.0.0.1",
      "[2001:db8::1]:443, 198.51.100.7:5000",
      loopbackOnly,
      "198.51.100.7",
    ],
    ["bracketed v6 with port", "127.0.0.1", "[2001:db8::1]:443", loopbackOnly, "2001:db8::1"],
    [
      "malformed rightmost: stop at the socket",
      "127.0.0.1",
      "198.51.100.7, unknown",
      loopbackOnly,
      "127.0.0.1",
    ],
    [
      "malformed behind trusted hop: stop at that hop",
      "127.0.0.1",
      "1.2.3.4, garbage, 10.0.0.2",
      withLan,
      "10.0.0.2",
    ],
    ["empty entry is malformed", "127.0.0.1", "198.51.100.7,,10.0.0.2", withLan, "10.0.0.2"],
    ["legacy encodings are malformed", "127.0.0.1", "2130706433", loopbackOnly, "127.0.0.1"],
    ["unparseable socket returned as is", "garbage ", "1.2.3.4", loopbackOnly, "garbage"],
  ])("%s", (_name, socketIp, xForwardedFor, trusted, expected) => {
    expect(resolveClientIp({ socketIp, xForwardedFor, trusted })).toBe(expected);
  });

  test("an untrusted peer's XFF never matters (property)", () => {
    fc.assert(
      fc.property(v4Bytes, fc.string(), (bytes, xff) => {
        const socketIp = formatIp(v4(bytes));
        fc.pre(!anyCidrContains(withLan, socketIp));
        expect(resolveClientIp({ socketIp, xForwardedFor: xff, trusted: withLan })).toBe(socketIp);
      }),
    );
  });

  test("a client behind trusted proxies is found whatever it prepends (property)", () => {
    const trustedHop = fc.nat(0xffffff).map((n) => `10.${n >>> 16}.${(n >>> 8) & 0xff}.${n & 0xff}`);
    fc.assert(
      fc.property(fc.string(), v4Bytes, fc.array(trustedHop, { maxLength: 5 }), (spoof, bytes, proxies) => {
        const client = formatIp(v4(bytes));
        fc.pre(!anyCidrContains(withLan, client));
        const xff = [spoof, client, ...proxies].join(", ");
        expect(resolveClientIp({ socketIp: "127.0.0.1", xForwardedFor: xff, trusted: withLan })).toBe(client);
      }),
    );
  });

  test("defaultTrustedProxies", () => {
    expect(defaultTrustedProxies(true, []).map(formatCidr)).toEqual(["127.0.0.0/8", "::1/128"]);
    expect(defaultTrustedProxies(false, "10.0.0.0/8,fd00::/8").map(formatCidr)).toEqual([
      "10.0.0.0/8",
      "fd00::/8",
    ]);
    try {
      defaultTrustedProxies(true, ["10.0.0.0/8", "nope"]);
      throw new Error("accepted");
    } catch (e) {
      expect(isGatehouseError(e) && e.details?.field).toBe("GATEHOUSE_TRUSTED_PROXIES");
      expect((e as Error).message).toContain("nope");
    }
  });
});
