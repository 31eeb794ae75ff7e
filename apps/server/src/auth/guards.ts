import { GatehouseError } from "@gatehouse/core";
import type { AppContext } from "../context";
import type { Actor } from "./actor";

/** Admin routes (users, AppRoles, links, settings): `admin` on `**`, re-checked on every request. */
export function requireGlobalAdmin(ctx: AppContext, actor: Actor): void {
  if (!ctx.policies.isGlobalAdmin(actor)) {
    throw new GatehouseError("forbidden", "This needs admin on ** (a global admin)");
  }
}

/** Routes about "me" (TOTP, access tokens, sessions) exist for users only. */
export function requireUser(actor: Actor): void {
  if (actor.kind !== "user")
    throw new GatehouseError("forbidden", "Only users have this; AppRoles and the root token do not");
}
