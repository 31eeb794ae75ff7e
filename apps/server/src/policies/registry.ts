import { GatehouseError } from "@gatehouse/core";
import {
  authorize,
  BUILTIN_ADMIN,
  buildIndex,
  type Capability,
  type Decision,
  type Policy,
  type PolicyIndex,
  parsePolicy,
} from "@gatehouse/core/policy";
import type { Store } from "../db/store";

type Subject = { policies: readonly string[]; ip?: string };

/**
 * The live policy set (built-in admin + database policies; YAML files join in the policies module).
 * Every service authorizes through `check`, so the decision and its reason are the same everywhere.
 */
export interface PolicyRegistry {
  authorize(actor: Subject, capability: Capability, path: string): Decision;
  /** Throws 403 forbidden naming the deciding rule unless the capability is allowed. */
  check(actor: Subject, capability: Capability, path: string): Decision;
  /** "global admin" = `admin` on `**`, with no deny anywhere in the way. */
  isGlobalAdmin(actor: Pick<Subject, "policies">): boolean;
  get(name: string): Policy | undefined;
  names(): string[];
  reload(): Promise<void>;
  /** Extra policy sources (the YAML loader) register here. */
  setExtra(policies: Policy[]): void;
}

export function createPolicyRegistry(store: Store): PolicyRegistry {
  let extra: Policy[] = [];
  let dbPolicies: Policy[] = [];
  let index: PolicyIndex = buildIndex([]);
  let byName = new Map<string, Policy>([[BUILTIN_ADMIN.name, BUILTIN_ADMIN]]);

  const rebuild = () => {
    const all = [...extra, ...dbPolicies.filter((p) => !extra.some((e) => e.name === p.name))];
    index = buildIndex(all);
    byName = new Map([[BUILTIN_ADMIN.name, BUILTIN_ADMIN], ...all.map((p) => [p.name, p] as const)]);
  };

  const registry: PolicyRegistry = {
    authorize: (actor, capability, path) =>
      authorize({ policies: actor.policies, ip: actor.ip }, capability, path, index),
    check(actor, capability, path) {
      const d = registry.authorize(actor, capability, path);
      if (!d.allowed) {
        throw new GatehouseError("forbidden", `Not allowed to ${capability} "${path}": ${d.reason.message}`, {
          decision: { policy: d.reason.policy ?? null, rule: d.reason.rule ?? null },
        });
      }
      return d;
    },
    isGlobalAdmin(actor) {
      let granted = false;
      for (const name of actor.policies) {
        const p = byName.get(name);
        for (const rule of p?.rules ?? []) {
          if (!rule.paths.includes("**")) continue;
          if (rule.capabilities.includes("deny")) return false;
          if (rule.capabilities.includes("admin")) granted = true;
        }
      }
      return granted;
    },
    get: (name) => byName.get(name),
    names: () => [...byName.keys()],
    async reload() {
      const rows = await store.db.select().from(store.t.policies);
      dbPolicies = rows.map((r) => parsePolicy({ ...(r.document as object), name: r.name }));
      rebuild();
    },
    setExtra(policies) {
      extra = policies;
      rebuild();
    },
  };
  return registry;
}
