// The indexed evaluator must agree with a naive linear one (regex globs, written independently here).

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  type ApprovalMode,
  authorize,
  BUILTIN_ADMIN,
  buildIndex,
  CAPABILITIES,
  type Capability,
  capabilitiesOn,
  matchGlob,
  type Policy,
  type Rule,
} from "../src/policy";

const CIDRS = ["10.0.0.0/8", "192.168.1.0/24", "172.16.0.0/12"];
const IPS = ["10.1.2.3", "192.168.1.5", "172.20.0.1", "8.8.8.8", "garbage", undefined];
// Membership written out by hand so the oracle doesn't reuse the CIDR code under test.
const INSIDE: Record<string, string[]> = {
  "10.1.2.3": ["10.0.0.0/8"],
  "192.168.1.5": ["192.168.1.0/24"],
  "172.20.0.1": ["172.16.0.0/12"],
};
const GATED: Capability[] = ["read", "lease", "proxy", "call"];
const CHECKABLE = CAPABILITIES.filter((c) => c !== "deny");

/** Regex over "/seg/seg/" so `**` can be expressed per segment. */
function naiveRegex(glob: string): RegExp {
  const segs = glob.split("/");
  let re = "^/";
  segs.forEach((s, i) => {
    if (s === "**") re += i === segs.length - 1 && segs.length > 1 ? "(?:[^/]+/)+" : "(?:[^/]+/)*";
    else re += `${s.split("*").join("[^/]*")}/`;
  });
  return new RegExp(`${re}$`);
}
const naiveMatch = (glob: string, path: string) => naiveRegex(glob).test(path === "" ? "/" : `/${path}/`);

interface Hit {
  policy: string;
  rule: number;
  glob: string;
  r: Rule;
}

function naiveHits(policies: Policy[], names: string[], path: string): Hit[] {
  const all = [BUILTIN_ADMIN, ...policies];
  const hits: Hit[] = [];
  for (const name of [...new Set(names)]) {
    const p = all.find((x) => x.name === name);
    p?.rules.forEach((r, i) => {
      const glob = r.paths.find((g) => naiveMatch(g, path));
      if (glob !== undefined) hits.push({ policy: name, rule: i, glob, r });
    });
  }
  return hits;
}

interface Expected {
  allowed: boolean;
  approval: ApprovalMode;
  maxTtl?: number;
  policy?: string;
  rule?: number;
  glob?: string;
}

function naive(
  policies: Policy[],
  names: string[],
  ip: string | undefined,
  cap: Capability,
  path: string,
): Expected {
  const hits = naiveHits(policies, names, path);
  const deny = hits.find((h) => h.r.capabilities.includes("deny"));
  if (deny)
    return { allowed: false, approval: "none", policy: deny.policy, rule: deny.rule, glob: deny.glob };
  const allowing = hits.filter((h) => h.r.capabilities.includes(cap) || h.r.capabilities.includes("admin"));
  if (allowing.length === 0) return { allowed: false, approval: "none" };
  const rank = { none: 0, auto: 1, required: 2 } as const;
  const modeOf = (h: Hit): keyof typeof rank => {
    if (!GATED.includes(cap) || !h.r.approval?.required) return "none";
    return h.r.approval.autoApproveFrom.some((c) => (INSIDE[ip ?? ""] ?? []).includes(c))
      ? "auto"
      : "required";
  };
  let best = allowing[0] as Hit;
  for (const h of allowing) if (rank[modeOf(h)] > rank[modeOf(best)]) best = h;
  const ttls = allowing.flatMap((h) => (h.r.approval?.maxTtl ? [h.r.approval.maxTtl] : []));
  return {
    allowed: true,
    approval: modeOf(best),
    ...(ttls.length ? { maxTtl: Math.min(...ttls) } : {}),
    policy: best.policy,
    rule: best.rule,
    glob: best.glob,
  };
}

const seg = fc.constantFrom("a", "b", "ab", "*", "a*", "*b", "a*b", "**", "**");
const glob = fc.array(seg, { minLength: 1, maxLength: 4 }).map((s) => s.join("/"));
const path = fc
  .array(fc.constantFrom("a", "b", "ab", "ba", "abb", "c"), { minLength: 0, maxLength: 5 })
  .map((s) => s.join("/"));
const rule: fc.Arbitrary<Rule> = fc.record(
  {
    paths: fc.uniqueArray(glob, { minLength: 1, maxLength: 3 }),
    capabilities: fc.uniqueArray(fc.constantFrom(...CAPABILITIES), { minLength: 1, maxLength: 3 }),
    approval: fc.record(
      {
        required: fc.boolean(),
        autoApproveFrom: fc.subarray(CIDRS),
        maxTtl: fc.integer({ min: 1, max: 1000 }),
      },
      { requiredKeys: ["required", "autoApproveFrom"] },
    ),
  },
  { requiredKeys: ["paths", "capabilities"] },
);
const NAMES = ["p0", "p1", "p2", "p3", "p4"];
const policies = fc
  .array(fc.array(rule, { maxLength: 6 }), { minLength: 1, maxLength: NAMES.length })
  .map((rs) => rs.map((rules, i): Policy => ({ name: NAMES[i] ?? "", rules })));
const actorNames = fc.array(fc.constantFrom(...NAMES, "admin", "ghost"), { maxLength: 5 });

describe("indexed authorize agrees with the naive evaluator", () => {
  test("glob matcher agrees with the regex oracle", () => {
    fc.assert(
      fc.property(glob, path, (g, p) => matchGlob(g, p) === naiveMatch(g, p)),
      { numRuns: 5000 },
    );
  });

  test("authorize and capabilitiesOn", () => {
    fc.assert(
      fc.property(
        policies,
        actorNames,
        fc.constantFrom(...IPS),
        fc.constantFrom(...CHECKABLE),
        fc.array(path, { minLength: 1, maxLength: 8 }),
        (ps, names, ip, cap, paths) => {
          const index = buildIndex(ps);
          for (const p of paths) {
            const d = authorize({ policies: names, ip }, cap, p, index);
            const got = {
              allowed: d.allowed,
              approval: d.approval,
              ...(d.maxTtl !== undefined ? { maxTtl: d.maxTtl } : {}),
              ...(d.reason.policy !== undefined
                ? { policy: d.reason.policy, rule: d.reason.rule, glob: d.reason.glob }
                : {}),
            };
            expect(got).toEqual(naive(ps, names, ip, cap, p));
            const caps = [...capabilitiesOn({ policies: names }, p, index)].sort();
            const want = CHECKABLE.filter((c) => naive(ps, names, undefined, c, p).allowed).sort();
            expect(caps).toEqual(want);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
