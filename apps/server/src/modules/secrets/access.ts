import { GatehouseError, isGatehouseError } from "@gatehouse/core";
import type { Capability, Decision } from "@gatehouse/core/policy";
import type { Actor } from "../../auth/actor";
import type { AppContext } from "../../context";
import type { ApprovalAsk } from "../approvals/service";

/** Capabilities that hand a value over: a viewer never gets them, whatever its policies say. */
const VALUE_CAPS: ReadonlySet<Capability> = new Set(["read", "lease"]);
/** Shown in `caps`; `call` is for MCP tools, not secrets. */
const LISTED_CAPS: readonly Capability[] = ["read", "write", "delete", "list", "lease", "proxy", "admin"];
/** Any of these lets a caller see that a secret exists and read its metadata. */
export const SEE_CAPS: readonly Capability[] = ["list", "read", "proxy", "lease"];

export const auditBy = (actor: Actor) => ({
  identity: actor.identity,
  sourceIp: actor.ip,
  requestId: actor.requestId,
});

async function auditDenied(
  ctx: AppContext,
  actor: Actor,
  action: string,
  path: string,
  capability: string,
  e: Error,
) {
  await ctx.audit.append({
    ...auditBy(actor),
    action,
    path,
    success: false,
    outcome: "denied",
    metadata: { capability, reason: e.message },
  });
}

/**
 * The one gate for secret capabilities: the registry's `check` (403 naming the deciding rule), the
 * viewer rule, and approval: when the deciding rules require it, `ask` turns the call into a pending
 * request (ApprovalPending → 202), unless an approval grant already covers it. Denials are audited.
 */
export async function authorizeSecret(
  ctx: AppContext,
  actor: Actor,
  capability: Capability,
  path: string,
  action: string,
  why?: string,
  ask?: Omit<ApprovalAsk, "capability" | "path">,
): Promise<Decision> {
  let decision: Decision;
  try {
    if (VALUE_CAPS.has(capability) && actor.role === "viewer") {
      throw new GatehouseError(
        "forbidden",
        `Viewers never receive secret values (${capability} on "${path}")`,
      );
    }
    decision = ctx.policies.check(actor, capability, path);
    if (decision.approval === "required" && !ask) {
      throw new GatehouseError(
        "forbidden",
        `${capability} on "${path}" requires approval, which this operation cannot wait for (${decision.reason.message})`,
        { approval: "required" },
      );
    }
  } catch (e) {
    if (!isGatehouseError(e) || e.code !== "forbidden") throw e;
    const err = why ? new GatehouseError("forbidden", `${why}: ${e.message}`, e.details) : e;
    await auditDenied(ctx, actor, action, path, capability, err);
    throw err;
  }
  if (ask) await ctx.approvals.gate(actor, decision, { ...ask, capability, path });
  return decision;
}

/** Passes if any of `caps` is allowed; otherwise `check` on the first names the deciding rule. */
export async function authorizeAny(
  ctx: AppContext,
  actor: Actor,
  caps: readonly Capability[],
  path: string,
  action: string,
): Promise<void> {
  if (caps.some((c) => ctx.policies.authorize(actor, c, path).allowed)) return;
  const first = caps[0] ?? "read";
  try {
    ctx.policies.check(actor, first, path);
  } catch (e) {
    if (isGatehouseError(e)) await auditDenied(ctx, actor, action, path, caps.join("|"), e);
    throw e;
  }
  throw new GatehouseError("forbidden", `Not allowed to see "${path}"`);
}

export interface Access {
  /** Capabilities as the caller may use them (a viewer's read and lease are dropped). */
  caps: Capability[];
  /** Any of list/read/proxy/lease: the secret is visible to the caller. */
  visible: boolean;
  admin: boolean;
}

export function accessOn(ctx: AppContext, actor: Actor, path: string): Access {
  const raw = LISTED_CAPS.filter((c) => ctx.policies.authorize(actor, c, path).allowed);
  return {
    caps: raw.filter((c) => !(actor.role === "viewer" && VALUE_CAPS.has(c))),
    visible: raw.some((c) => SEE_CAPS.includes(c)),
    admin: raw.includes("admin"),
  };
}
