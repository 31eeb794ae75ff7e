// The simulator's browser half: core's evaluator over the listed policies, exactly as the server
// builds its index (file policies win over database ones of the same name; the built-in is implicit).
import { authorize, buildIndex, type Decision, type PolicyIndex } from "@gatehouse/core/policy";
import { type ListedPolicy, type SimulateInput, toCorePolicy } from "../../../api/policies";

export type ServerSimulation = {
  policies: string[];
  decision: {
    allowed: boolean;
    approval: string;
    max_ttl: number | null;
    reason: { policy: string | null; rule: number | null; glob: string | null; message: string };
  };
};

export function buildLocalIndex(policies: readonly ListedPolicy[]): { index?: PolicyIndex; error?: string } {
  try {
    return {
      index: buildIndex(policies.filter((p) => p.source !== "builtin" && p.active).map(toCorePolicy)),
    };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** A user's policies as the server resolves them: admins hold the built-in admin policy first. */
export const userPolicies = (role: string, policies: readonly string[]): string[] =>
  role === "admin" ? ["admin", ...policies.filter((p) => p !== "admin")] : [...policies];

export function evaluateLocally(
  index: PolicyIndex,
  subjectPolicies: readonly string[],
  input: SimulateInput,
): Decision {
  return authorize(
    { policies: subjectPolicies, ...(input.ip ? { ip: input.ip } : {}) },
    input.capability,
    input.path,
    index,
  );
}

/** Where the browser and the server disagree; empty when they match. */
export function disagreements(
  local: Decision,
  localPolicies: readonly string[],
  server: ServerSimulation,
): string[] {
  const d = server.decision;
  const out: string[] = [];
  if (localPolicies.join("\n") !== server.policies.join("\n")) out.push("the subject's policies");
  if (local.allowed !== d.allowed) out.push("allowed or denied");
  if (local.approval !== d.approval) out.push("approval");
  if ((local.maxTtl ?? null) !== d.max_ttl) out.push("max TTL");
  if ((local.reason.policy ?? null) !== d.reason.policy) out.push("deciding policy");
  if ((local.reason.rule ?? null) !== d.reason.rule) out.push("deciding rule");
  return out;
}
