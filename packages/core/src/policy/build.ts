// PolicyIndex: every policy compiled once; per actor policy set, a trie of just those policies'
// rules is built on first use and cached (like Vault, which builds one ACL per token policy set).

import { GatehouseError } from "../errors";
import { BUILTIN_ADMIN } from "./builtin";
import { type Cidr, parseCidr } from "./cidr";
import { compileGlob, globError } from "./glob";
import { type IndexedRule, insert, newNode, type TrieNode } from "./trie";
import { CAPABILITIES, type Capability, type Policy } from "./types";

export interface ActorView {
  root: TrieNode;
  known: string[];
  unknown: string[];
  size: number; // rule entries, for the cache budget
}

export interface PolicyIndex {
  readonly policies: ReadonlyMap<string, Policy>;
  readonly ruleCount: number;
  /** Internal: each policy's rules, compiled once. */
  readonly compiled: ReadonlyMap<string, readonly IndexedRule[]>;
  /** Internal: per-actor tries, see viewFor. */
  readonly cache: { views: Map<string, ActorView>; entries: number };
}

// Bounded by rule entries, not views, so a few actors holding every policy can't eat the heap.
const MAX_CACHED_ENTRIES = 250_000;

export const capabilityBit = (c: Capability): number => 1 << CAPABILITIES.indexOf(c);
export const DENY_BIT = capabilityBit("deny");
export const ADMIN_BIT = capabilityBit("admin");

const invalid = (policy: string, at: string, message: string) =>
  new GatehouseError("policy_invalid", `policy "${policy}" ${at}: ${message}`, { field: at, policy });

function compilePolicy(p: Policy): IndexedRule[] {
  const out: IndexedRule[] = [];
  p.rules.forEach((r, i) => {
    let mask = 0;
    r.capabilities.forEach((c, j) => {
      if (!CAPABILITIES.includes(c))
        throw invalid(p.name, `rules[${i}].capabilities[${j}]`, `unknown capability "${c}"`);
      mask |= capabilityBit(c);
    });
    const autoFrom: Cidr[] = [];
    (r.approval?.autoApproveFrom ?? []).forEach((c, j) => {
      const parsed = parseCidr(c);
      if (typeof parsed === "string")
        throw invalid(p.name, `rules[${i}].approval.auto_approve_from[${j}]`, parsed);
      autoFrom.push(parsed);
    });
    r.paths.forEach((glob, j) => {
      const e = globError(glob);
      if (e) throw invalid(p.name, `rules[${i}].paths[${j}]`, e);
      const { prefix, rest } = compileGlob(glob);
      const approvalRequired = r.approval?.required ?? false;
      out.push({
        policy: p.name,
        rule: i,
        pathIndex: j,
        glob,
        prefix,
        rest,
        mask,
        approvalRequired,
        autoFrom,
        maxTtl: r.approval?.maxTtl,
      });
    });
  });
  return out;
}

/**
 * Build the index. The built-in admin policy is always included; another policy named "admin"
 * or two policies with one name are errors. Globs and CIDRs are re-checked because policies may
 * be constructed in code rather than parsed.
 */
export function buildIndex(policies: readonly Policy[]): PolicyIndex {
  const byName = new Map<string, Policy>([[BUILTIN_ADMIN.name, BUILTIN_ADMIN]]);
  for (const p of policies) {
    if (p === BUILTIN_ADMIN) continue;
    if (byName.has(p.name)) {
      const why = p.name === BUILTIN_ADMIN.name ? "is reserved for the built-in policy" : "is defined twice";
      throw new GatehouseError("policy_invalid", `policy name "${p.name}" ${why}`, {
        field: "name",
        policy: p.name,
      });
    }
    byName.set(p.name, p);
  }
  const compiled = new Map<string, IndexedRule[]>();
  let ruleCount = 0;
  for (const p of byName.values()) {
    compiled.set(p.name, compilePolicy(p));
    ruleCount += p.rules.length;
  }
  return { policies: byName, ruleCount, compiled, cache: { views: new Map(), entries: 0 } };
}

/** The trie for one actor's policy list (order kept: it decides ties in reasons). Cached, bounded. */
export function viewFor(index: PolicyIndex, names: readonly string[]): ActorView {
  const { cache } = index;
  // "\n" can't occur in a valid name; lists that contain it skip the cache rather than risk a collision.
  const cacheable = !names.some((n) => n.includes("\n"));
  const key = cacheable ? names.join("\n") : "";
  const hit = cacheable ? cache.views.get(key) : undefined;
  if (hit) return hit;
  const view: ActorView = { root: newNode(), known: [], unknown: [], size: 0 };
  for (const name of names) {
    if (view.known.includes(name) || view.unknown.includes(name)) continue;
    const rules = index.compiled.get(name);
    if (!rules) {
      view.unknown.push(name);
      continue;
    }
    const pos = view.known.push(name) - 1;
    for (const entry of rules) insert(view.root, { entry, pos });
    view.size += rules.length;
  }
  if (cacheable && view.size <= MAX_CACHED_ENTRIES) {
    // Evict oldest first (Map keeps insertion order) until the new view fits.
    for (const [k, v] of cache.views) {
      if (cache.entries + view.size <= MAX_CACHED_ENTRIES) break;
      cache.views.delete(k);
      cache.entries -= v.size;
    }
    cache.views.set(key, view);
    cache.entries += view.size;
  }
  return view;
}
