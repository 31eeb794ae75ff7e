// Fuzz and property tests for the parsers and classifiers that see attacker-controlled input
// (issue 15): the policy evaluator, secret paths, CIDR/X-Forwarded-For, the SSRF classifier and
// the scrubber. The properties are the security claims, not the exact outputs (other suites pin those).

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { isGatehouseError } from "../src/errors";
import {
  anyCidrContains,
  classifyIp,
  defaultTrustedProxies,
  formatIp,
  isPrivateOrLocal,
  type ParsedIp,
  parseCidr,
  parseCidrList,
  parseHostIp,
  parseIp,
  resolveClientIp,
  tryParseCidr,
  unmapIp,
} from "../src/net";
import { isValidPrefix, isValidSecretPath, validateSecretPath } from "../src/paths";
import {
  authorize,
  buildIndex,
  CAPABILITIES,
  type Capability,
  capabilitiesOn,
  matchGlob,
  type Policy,
  parsePolicy,
  type Rule,
  validatePolicy,
} from "../src/policy";
import { createScrubber, DETECTORS } from "../src/scrubber/index";

/** Runs `fn`; a throw is fine only if it is a GatehouseError (which the HTTP layer turns into a 4xx). */
function onlyGatehouseErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!isGatehouseError(e)) throw e;
    expect(e.status).toBeLessThan(500);
  }
}

// Strings that mix path-ish syntax, unicode, control characters and plain noise.
const nasty = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc
    .array(
      fc.constantFrom(
        "a",
        "B",
        "0",
        "_",
        "-",
        "/",
        ".",
        "..",
        "*",
        "**",
        "%2e",
        "%2f",
        "\0",
        "\n",
        "\u202e",
        "é",
        " ",
      ),
      { maxLength: 30 },
    )
    .map((p) => p.join("")),
);

describe("policy evaluator", () => {
  // Mostly valid globs; the rest must be refused by buildIndex with policy_invalid (never a crash).
  const globSeg = fc.constantFrom("a", "b", "ab", "*", "a*", "*b", "**", "x-1", "a", "b", "", ".", "é");
  const glob = fc.oneof(
    {
      weight: 9,
      arbitrary: fc
        .array(
          globSeg.filter((s) => /^[a-z0-9*-]+$/.test(s)),
          { minLength: 1, maxLength: 5 },
        )
        .map((s) => s.join("/")),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.array(globSeg, { minLength: 1, maxLength: 5 }).map((s) => s.join("/")),
        fc.string({ maxLength: 20 }),
      ),
    },
  );
  /** buildIndex validates globs: a bad one is a policy_invalid GatehouseError, and the case is skipped. */
  const indexOf = (ps: Policy[]) => {
    try {
      return buildIndex(ps);
    } catch (e) {
      expect(isGatehouseError(e) && e.code).toBe("policy_invalid");
      return undefined;
    }
  };
  const pathSeg = fc.constantFrom("a", "b", "ab", "ba", "x-1", "c", "", ".", "..", "é");
  const path = fc.oneof(
    fc.array(pathSeg, { maxLength: 6 }).map((s) => s.join("/")),
    nasty,
  );
  const rule: fc.Arbitrary<Rule> = fc.record(
    {
      paths: fc.array(glob, { minLength: 1, maxLength: 3 }),
      capabilities: fc.uniqueArray(fc.constantFrom(...CAPABILITIES), { minLength: 1, maxLength: 4 }),
      approval: fc.record(
        {
          required: fc.boolean(),
          autoApproveFrom: fc.subarray(["10.0.0.0/8", "::1/128", "192.168.0.0/16"]),
          maxTtl: fc.integer({ min: 1, max: 100_000 }),
        },
        { requiredKeys: ["required", "autoApproveFrom"] },
      ),
    },
    { requiredKeys: ["paths", "capabilities"] },
  );
  const NAMES = ["p0", "p1", "p2", "p3"];
  const policies = fc
    .array(fc.array(rule, { maxLength: 6 }), { minLength: 1, maxLength: NAMES.length })
    .map((rs) => rs.map((rules, i): Policy => ({ name: NAMES[i] ?? "", rules })));
  const actorPolicies = fc.array(fc.oneof(fc.constantFrom(...NAMES, "admin", "ghost"), nasty), {
    maxLength: 5,
  });
  const capability = fc.oneof(
    fc.constantFrom(...CAPABILITIES),
    fc.string({ maxLength: 8 }).map((s) => s as Capability),
  );
  const ip = fc.option(fc.oneof(fc.constantFrom("10.1.2.3", "::1", "8.8.8.8", "192.168.5.5"), nasty), {
    nil: undefined,
  });

  test("never throws, and a matching deny always wins over every allow (admin included)", () => {
    fc.assert(
      fc.property(
        policies,
        actorPolicies,
        ip,
        capability,
        fc.array(path, { minLength: 1, maxLength: 6 }),
        (ps, names, addr, cap, paths) => {
          const index = indexOf(ps);
          if (!index) return;
          for (const p of paths) {
            const d = authorize({ policies: names, ip: addr }, cap, p, index);
            const caps = capabilitiesOn({ policies: names, ip: addr }, p, index);
            const denyHit = ps.some(
              (pol) =>
                names.includes(pol.name) &&
                pol.rules.some(
                  (r) => r.capabilities.includes("deny") && r.paths.some((g) => matchGlob(g, p)),
                ),
            );
            if (denyHit) {
              expect(d.allowed).toBe(false);
              expect(caps.size).toBe(0);
            }
            if (d.allowed) {
              // Allowed only for a real capability, and only when some rule of the actor's grants it.
              expect(cap).not.toBe("deny");
              expect(CAPABILITIES).toContain(cap);
              expect(caps.has(cap)).toBe(true);
            }
            expect(typeof d.reason.message).toBe("string");
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  test("a deny rule added to any held policy revokes every capability on the paths it matches", () => {
    fc.assert(
      fc.property(
        policies,
        fc.array(
          pathSeg.filter((s) => /^[a-z0-9-]+$/.test(s)),
          { minLength: 1, maxLength: 4 },
        ),
        (ps, segs) => {
          const p = segs.join("/");
          const withDeny = ps.map((pol, i) =>
            i === 0
              ? { ...pol, rules: [...pol.rules, { paths: ["**"], capabilities: ["deny"] as Capability[] }] }
              : pol,
          );
          const index = indexOf(withDeny);
          if (!index) return;
          const names = [...withDeny.map((x) => x.name), "admin"];
          for (const cap of CAPABILITIES)
            expect(authorize({ policies: names }, cap, p, index).allowed).toBe(false);
          expect(capabilitiesOn({ policies: names }, p, index).size).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("the policy parser refuses garbage with a GatehouseError or an issue list, never a crash", () => {
    const doc = fc.oneof(
      fc.anything({ maxDepth: 4 }),
      fc.record({ name: fc.anything(), rules: fc.anything({ maxDepth: 3 }) }),
      fc.record({
        name: fc.constantFrom("ok", "", "a b", "x".repeat(70)),
        rules: fc.array(
          fc.record({
            paths: fc.oneof(fc.array(nasty, { maxLength: 3 }), fc.anything({ maxDepth: 1 })),
            capabilities: fc.oneof(
              fc.array(fc.oneof(fc.constantFrom(...CAPABILITIES), nasty), { maxLength: 4 }),
              fc.anything({ maxDepth: 1 }),
            ),
            approval: fc.anything({ maxDepth: 2 }),
          }),
          { maxLength: 4 },
        ),
      }),
    );
    fc.assert(
      fc.property(doc, (input) => {
        const r = validatePolicy(input);
        expect(Array.isArray(r.errors)).toBe(true);
        if (r.errors.length === 0) expect(r.policy).toBeDefined();
        if (typeof input === "object" && input !== null) onlyGatehouseErrors(() => parsePolicy(input));
      }),
      { numRuns: 1000 },
    );
    // Text documents: YAML and JSON noise, including alias bombs and deep nesting.
    const text = fc.oneof(
      nasty,
      fc.json(),
      fc.constantFrom(
        `a: &a [${"x,".repeat(50)}]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c]`,
        "rules: [*nowhere]",
        `${"[".repeat(5000)}${"]".repeat(5000)}`,
        `${"- ".repeat(2000)}x`,
        "name: x\nrules: !!js/function 'return 1'",
      ),
    );
    fc.assert(
      fc.property(
        text,
        fc.constantFrom<"yaml" | "json" | undefined>("yaml", "json", undefined),
        (input, format) => {
          expect(Array.isArray(validatePolicy(input, format).errors)).toBe(true);
          onlyGatehouseErrors(() => parsePolicy(input, format));
        },
      ),
      { numRuns: 600 },
    );
  });
});

describe("secret paths", () => {
  test("validateSecretPath throws nothing but path_invalid / path_reserved, whatever it is given", () => {
    fc.assert(
      fc.property(fc.oneof(nasty, fc.anything({ maxDepth: 1 })), (input) => {
        try {
          validateSecretPath(input as string);
        } catch (e) {
          expect(isGatehouseError(e)).toBe(true);
          expect(["path_invalid", "path_reserved"]).toContain((e as { code: string }).code);
        }
        expect(typeof isValidSecretPath(input as string)).toBe("boolean");
        expect(typeof isValidPrefix(input as string)).toBe("boolean");
      }),
      { numRuns: 5000 },
    );
  });

  test("an accepted path has no traversal, no encoding and no separator other than '/'", () => {
    fc.assert(
      fc.property(nasty, (input) => {
        if (!isValidSecretPath(input)) return;
        expect(input.split("/").every((s) => s !== "" && s !== "." && s !== "..")).toBe(true);
        expect(input).not.toMatch(/[%\\.\0\s]/);
        expect(decodeURIComponent(input)).toBe(input);
      }),
      { numRuns: 5000 },
    );
  });
});

const v4Bytes = fc.uint8Array({ minLength: 4, maxLength: 4 });
const v6Bytes = fc.uint8Array({ minLength: 16, maxLength: 16 });
const anyIp: fc.Arbitrary<ParsedIp> = fc.oneof(
  v4Bytes.map((bytes): ParsedIp => ({ version: 4, bytes })),
  v6Bytes.map((bytes): ParsedIp => ({ version: 6, bytes })),
  // v4-mapped IPv6, as a dual-stack socket reports an IPv4 peer.
  v4Bytes.map(
    (b): ParsedIp => ({ version: 6, bytes: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, ...b]) }),
  ),
);

describe("CIDR and X-Forwarded-For", () => {
  const trustedSets = fc.constantFrom(
    defaultTrustedProxies(true, []),
    defaultTrustedProxies(true, "10.0.0.0/8"),
    defaultTrustedProxies(false, "192.168.0.0/16,fd00::/8"),
    defaultTrustedProxies(false, []),
  );
  const hop = fc.oneof(
    anyIp.map(formatIp),
    anyIp.map((ip) => (ip.version === 6 ? `[${formatIp(ip)}]:443` : `${formatIp(ip)}:8080`)),
    fc.constantFrom(
      "127.0.0.1",
      "::1",
      "10.0.0.1",
      "unknown",
      "",
      " 1.2.3.4 ",
      "2130706433",
      "0x7f.1",
      "::ffff:127.0.0.1",
    ),
    nasty,
  );
  const xff = fc.oneof(
    fc.array(hop, { maxLength: 6 }).map((h) => h.join(",")),
    fc.array(
      fc.array(hop, { maxLength: 3 }).map((h) => h.join(", ")),
      { maxLength: 3 },
    ),
    nasty,
  );

  test("an untrusted peer is the client, whatever it puts in X-Forwarded-For", () => {
    fc.assert(
      fc.property(anyIp, xff, trustedSets, (peer, header, trusted) => {
        fc.pre(!anyCidrContains(trusted, peer));
        const socketIp = formatIp(peer);
        expect(resolveClientIp({ socketIp, xForwardedFor: header, trusted })).toBe(formatIp(unmapIp(peer)));
      }),
      { numRuns: 3000 },
    );
  });

  test("behind a trusted peer the answer is the peer or a hop, and every hop to its right is trusted", () => {
    fc.assert(
      fc.property(fc.array(hop, { maxLength: 6 }), trustedSets, (hops, trusted) => {
        const peer = trusted.length && anyCidrContains(trusted, "127.0.0.1") ? "127.0.0.1" : "10.0.0.7";
        fc.pre(anyCidrContains(trusted, peer));
        const got = resolveClientIp({ socketIp: peer, xForwardedFor: hops.join(","), trusted });
        const gotIp = parseIp(got);
        expect(gotIp).not.toBeNull();
        const canon = (text: string) => {
          const t = text.trim();
          const ip =
            parseIp(t) ??
            parseIp(t.replace(/^\[(.*)\]:\d{1,5}$/, "$1")) ??
            parseIp(t.replace(/:\d{1,5}$/, ""));
          return ip ? formatIp(unmapIp(ip)) : null;
        };
        const parsed = hops.map(canon);
        if (got === peer) return;
        // Some hop equals the answer, and everything right of that hop was a trusted proxy.
        const at = parsed.lastIndexOf(got);
        expect(at).toBeGreaterThanOrEqual(0);
        for (const right of parsed.slice(at + 1)) {
          expect(right).not.toBeNull();
          expect(anyCidrContains(trusted, right as string)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test("CIDR parsing refuses garbage with a 4xx GatehouseError, never a crash", () => {
    // JSON-shaped non-strings: what a request body can put where a CIDR is expected.
    const jsonish = fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 2 }),
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("toString", "valueOf")), fc.string(), {
        maxKeys: 2,
        noNullPrototype: true,
      }),
    );
    fc.assert(
      fc.property(fc.oneof(nasty, jsonish), (input) => {
        expect(() => tryParseCidr(input as string)).not.toThrow();
        onlyGatehouseErrors(() => parseCidr(input as string));
        if (typeof input === "string") onlyGatehouseErrors(() => parseCidrList(input));
        onlyGatehouseErrors(() => parseCidrList([input as string, "10.0.0.0/8"]));
        expect(() => parseHostIp(input as string)).not.toThrow();
        // These two also take a ParsedIp object, so only text is fuzzed (a URL host is always text).
        if (typeof input === "string") {
          expect(typeof isPrivateOrLocal(input)).toBe("boolean");
          onlyGatehouseErrors(() => classifyIp(input));
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe("SSRF classifier: every spelling of a non-public address is non-public", () => {
  // A non-public IPv4 from each class the proxy must be able to block.
  const PRIVATE_V4: [number[], number][] = [
    [[127], 8],
    [[10], 8],
    [[172, 16], 12],
    [[192, 168], 16],
    [[169, 254], 16],
    [[100, 64], 10],
    [[0], 8],
    [[224], 4],
    [[240], 4],
  ];
  const privateV4 = fc.tuple(fc.constantFrom(...PRIVATE_V4), v4Bytes).map(([[net, prefix], rnd]) => {
    const out = Uint8Array.from(rnd);
    const base = [...net, 0, 0, 0, 0].slice(0, 4);
    for (let bit = 0; bit < prefix; bit++) {
      const byte = bit >> 3;
      const mask = 0x80 >> (bit & 7);
      out[byte] = ((out[byte] ?? 0) & ~mask) | ((base[byte] ?? 0) & mask);
    }
    return out;
  });

  const n32 = (b: Uint8Array) =>
    (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
  const oct = (n: number) => `0${n.toString(8)}`;
  const hex = (n: number) => `0x${n.toString(16)}`;
  const word = (b: Uint8Array, i: number) => (((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)).toString(16);
  const fullwidth = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));

  /** Every spelling the URL parser or inet_aton turns into this address. */
  function spellings(b: Uint8Array): string[] {
    const [a = 0, c = 0, d = 0, e = 0] = b;
    const n = n32(b);
    const dotted = `${a}.${c}.${d}.${e}`;
    return [
      dotted,
      `${dotted}.`,
      String(n),
      hex(n),
      oct(n),
      [a, c, d, e].map(oct).join("."),
      [a, c, d, e].map(hex).join("."),
      `${oct(a)}.${c}.${hex(d)}.${e}`,
      `${a}.${(c << 16) | (d << 8) | e}`,
      `${a}.${c}.${(d << 8) | e}`,
      `${hex(a)}.${oct((c << 16) | (d << 8) | e)}`,
      fullwidth(dotted),
      dotted.replace(/\./g, "\u3002"),
      dotted.replace(/\./g, "%2e"),
      `[::ffff:${dotted}]`,
      `::ffff:${dotted}`,
      `::ffff:${word(b, 0)}:${word(b, 2)}`,
      `[0:0:0:0:0:ffff:${dotted}]`,
      `::FFFF:${dotted}`,
      `64:ff9b::${dotted}`,
      `2002:${word(b, 0)}:${word(b, 2)}::1`,
      `::ffff:0:${dotted}`,
    ];
  }

  test("core classifier, raw spelling", () => {
    fc.assert(
      fc.property(privateV4, (b) => {
        for (const s of spellings(b)) {
          expect(parseHostIp(s) ?? `unparsed: ${s}`).not.toBeString();
          expect(isPrivateOrLocal(s)).toBe(true);
          expect(classifyIp(s)).not.toBe("public");
        }
      }),
      { numRuns: 500 },
    );
  });

  test("the host the URL parser produces from each spelling is non-public too", () => {
    fc.assert(
      fc.property(privateV4, (b) => {
        for (const s of spellings(b)) {
          const host = s.includes(":") && !s.startsWith("[") ? `[${s}]` : s;
          let url: URL;
          try {
            url = new URL(`http://${host}:8080/x`);
          } catch {
            continue; // the proxy refuses what the URL parser refuses
          }
          expect(isPrivateOrLocal(url.hostname)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("private IPv6 ranges (ULA, link-local, loopback, unspecified) in any hex spelling", () => {
    const v6Private = fc
      .tuple(fc.constantFrom([0xfc, 0x00, 7], [0xfd, 0x00, 8], [0xfe, 0x80, 10]), v6Bytes)
      .map(([[hi, lo, prefix], rnd]) => {
        const out = Uint8Array.from(rnd);
        const keep = prefix === 7 ? 0x01 : prefix === 8 ? 0xff : 0x3f;
        out[0] = hi as number;
        out[1] = prefix === 10 ? (lo as number) | ((out[1] ?? 0) & keep) : (out[1] ?? 0);
        if (prefix === 7) out[0] = (hi as number) | ((rnd[0] ?? 0) & 1);
        return out;
      });
    fc.assert(
      fc.property(v6Private, (b) => {
        const ip: ParsedIp = { version: 6, bytes: b };
        const canonical = formatIp(ip);
        const long = Array.from({ length: 8 }, (_, i) => word(b, i * 2).padStart(4, "0")).join(":");
        for (const s of [canonical, long, long.toUpperCase(), `[${canonical}]`]) {
          expect(isPrivateOrLocal(s)).toBe(true);
          expect(isPrivateOrLocal(new URL(`http://[${s.replace(/^\[|\]$/g, "")}]/`).hostname)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
    for (const s of ["::1", "::", "0:0:0:0:0:0:0:1", "[::1]", "0::0", "::0.0.0.1"])
      expect(isPrivateOrLocal(s)).toBe(true);
  });
});

describe("scrubber", () => {
  const scrubber = createScrubber();
  const keywords = [...new Set(DETECTORS.flatMap((d) => d.keywords))].slice(0, 400);

  test("no crash on random text, and redactions stay inside the text", () => {
    const tokenish = fc.oneof(
      fc.constantFrom(...keywords),
      fc.constantFrom(
        "password=",
        "Bearer ",
        "-----BEGIN ",
        "://",
        "eyJ",
        "=",
        '"',
        "\n",
        "\0",
        "\ud800",
        "é",
      ),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: "binary", maxLength: 20 }),
      fc.base64String({ maxLength: 80 }),
    );
    fc.assert(
      fc.property(
        fc.array(tokenish, { maxLength: 40 }),
        fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 3 }),
        (parts, known) => {
          const text = parts.join("");
          const { scrubbed, redactions } = scrubber.scrub(text, known);
          for (const r of redactions) {
            expect(r.position).toBeGreaterThanOrEqual(0);
            expect(r.position + r.length).toBeLessThanOrEqual(text.length);
          }
          expect(typeof scrubbed).toBe("string");
          for (const k of known)
            if (k.length >= 4 && !/^\s+$/.test(k))
              expect(scrubbed.includes(k) && text.includes(k) && !scrubber.contains(text, [k])).toBe(false);
        },
      ),
      { numRuns: 600 },
    );
  });

  // Linear time on adversarial inputs: compare 100 KB with 1 MB of the same shape. Backtracking blows
  // up quadratically (100x); a linear scan is ~10x. The bound is a loose ratio, not wall-clock time.
  const adversarial: [string, (n: number) => string][] = [
    ["runs of prefix characters", (n) => "ghp_".repeat(n / 4)],
    ["repeated password=", (n) => "password=".repeat(n / 9)],
    [
      "base64-ish noise",
      (n) => {
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let s = "";
        let x = 12345;
        while (s.length < n) {
          x = (x * 1103515245 + 12345) & 0x7fffffff;
          s += alphabet[x % 64];
        }
        return s;
      },
    ],
    ["one long token after a keyword", (n) => `token=${"a".repeat(n)}`],
    ["PEM headers without footers", (n) => "-----BEGIN PRIVATE KEY-----\n".repeat(n / 28)],
    ["URLs with userinfo prefixes", (n) => "postgres://u:".repeat(n / 13)],
    ["JWT-ish prefixes", (n) => "eyJhbGciOi.".repeat(n / 11)],
    ["quote runs", (n) => '"key":"'.repeat(n / 7)],
    [
      "every keyword back to back",
      (n) => {
        let s = "";
        for (let i = 0; s.length < n; i++) s += `${keywords[i % keywords.length]}=`;
        return s;
      },
    ],
  ];

  test.each(adversarial)("%s: 1 MB takes at most ~30x the time of 100 KB", (_name, make) => {
    const small = make(100 * 1024);
    const large = make(1024 * 1024);
    const time = (text: string) => {
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        scrubber.scrub(text);
        best = Math.min(best, performance.now() - t0);
      }
      return best;
    };
    time(small); // warm the JIT on this shape
    const a = time(small);
    const b = time(large);
    // A floor on the small case so timer noise on a very fast scan cannot fail the ratio.
    expect(b / Math.max(a, 2)).toBeLessThanOrEqual(30);
  });
});
