// The decision: union of the actor's policies, a matching deny wins, admin implies everything else,
// the strictest approval and the smallest max_ttl among allowing rules apply.

import { ADMIN_BIT, capabilityBit, DENY_BIT, type PolicyIndex, viewFor } from "./build";
import { cidrContains, parseIp } from "./cidr";
import { splitPath } from "./glob";
import { collect, type Match } from "./trie";
import {
  type Actor,
  APPROVAL_CAPABILITIES,
  type ApprovalMode,
  CAPABILITIES,
  type Capability,
  type Decision,
  type DecisionReason,
} from "./types";

const STRICTNESS: Record<ApprovalMode, number> = { none: 0, auto: 1, required: 2 };

/** Earlier actor policy, then earlier rule, then earlier glob: a stable choice for the reason. */
const before = (a: Match, b: Match | undefined) =>
  !b ||
  a.pos < b.pos ||
  (a.pos === b.pos &&
    (a.entry.rule < b.entry.rule ||
      (a.entry.rule === b.entry.rule && a.entry.pathIndex < b.entry.pathIndex)));

const cite = (m: Match): DecisionReason => ({
  policy: m.entry.policy,
  rule: m.entry.rule,
  glob: m.entry.glob,
  message: "",
});

const describe = (m: Match) => `policy "${m.entry.policy}" rule ${m.entry.rule} ("${m.entry.glob}")`;

const denied = (reason: DecisionReason): Decision => ({ allowed: false, approval: "none", reason });

export function authorize(actor: Actor, capability: Capability, path: string, index: PolicyIndex): Decision {
  // Runtime check too: the simulator may pass any string, and an unknown one must not ride on admin.
  if (capability === "deny" || !CAPABILITIES.includes(capability)) {
    return denied({ message: `"${capability}" is not a capability that can be granted` });
  }
  const segs = splitPath(path);
  if (!segs) return denied({ message: `invalid path "${path}" (empty, "." or ".." segment)` });
  const { root, known, unknown } = viewFor(index, actor.policies);
  const matches = collect(root, segs);

  const want = capabilityBit(capability) | ADMIN_BIT;
  let deny: Match | undefined;
  let near: Match | undefined;
  const allowing: Match[] = [];
  for (const m of matches) {
    if (m.entry.mask & DENY_BIT) {
      if (before(m, deny)) deny = m;
    } else if (m.entry.mask & want) allowing.push(m);
    else if (before(m, near)) near = m;
  }
  if (deny)
    return denied({ ...cite(deny), message: `${capability} on "${path}" denied by ${describe(deny)}` });

  const first = allowing[0];
  if (!first) {
    let message = known.length
      ? `no rule in policies ${known.join(", ")} grants ${capability} on "${path}"`
      : `actor has no known policies; nothing grants ${capability} on "${path}"`;
    if (near) message += `; ${describe(near)} matches but does not grant ${capability}`;
    if (unknown.length) message += `; unknown policies ignored: ${unknown.join(", ")}`;
    return denied({ message });
  }

  const gated = APPROVAL_CAPABILITIES.includes(capability);
  let ip: Uint8Array | undefined | null = null; // parsed lazily; undefined = missing or unparseable
  let decider: Match = first;
  let mode: ApprovalMode = "none";
  let maxTtl: number | undefined;
  for (const m of allowing) {
    const e = m.entry;
    if (e.maxTtl !== undefined && (maxTtl === undefined || e.maxTtl < maxTtl)) maxTtl = e.maxTtl;
    let mine: ApprovalMode = "none";
    if (gated && e.approvalRequired) {
      if (ip === null) ip = actor.ip ? parseIp(actor.ip) : undefined;
      // Fail closed: without a usable IP an auto-approve range can't apply.
      const addr = ip;
      mine = addr && e.autoFrom.some((c) => cidrContains(c, addr)) ? "auto" : "required";
    }
    const s = STRICTNESS[mine] - STRICTNESS[mode];
    if (s > 0 || (s === 0 && before(m, decider))) {
      decider = m;
      mode = mine;
    }
  }
  const how = decider.entry.mask & capabilityBit(capability) ? "" : ` (admin implies ${capability})`;
  const gate =
    mode === "required" ? "; approval required" : mode === "auto" ? "; auto-approved by source IP" : "";
  const decision: Decision = {
    allowed: true,
    approval: mode,
    reason: {
      ...cite(decider),
      message: `${capability} on "${path}" allowed by ${describe(decider)}${how}${gate}`,
    },
  };
  if (maxTtl !== undefined) decision.maxTtl = maxTtl;
  return decision;
}

/** Every capability the actor has on the path (none if a deny rule matches); used to filter listings. */
export function capabilitiesOn(actor: Actor, path: string, index: PolicyIndex): Set<Capability> {
  const out = new Set<Capability>();
  const segs = splitPath(path);
  if (!segs) return out;
  let bits = 0;
  for (const m of collect(viewFor(index, actor.policies).root, segs)) {
    if (m.entry.mask & DENY_BIT) return out;
    bits |= m.entry.mask;
  }
  for (const c of CAPABILITIES) {
    if (c !== "deny" && bits & (capabilityBit(c) | ADMIN_BIT)) out.add(c);
  }
  return out;
}
