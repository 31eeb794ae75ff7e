import { randomUUID } from "node:crypto";
import { GatehouseError, invalid } from "@gatehouse/core";
import { parseCidrList } from "@gatehouse/core/net";
import { asc, eq, sql } from "drizzle-orm";
import type { Actor, Caller } from "../../auth/actor";
import { requireGlobalAdmin } from "../../auth/guards";
import { limited } from "../../auth/rate-limit";
import { ipAllowed } from "../../auth/resolve";
import type { AppContext } from "../../context";
import type { Db } from "../../db/store";
import type { AppRoleLogin, AppRoleView, CreateAppRole, UpdateAppRole } from "./model";

export type AppRoleRow = AppContext["store"]["t"]["approles"]["$inferSelect"];

export const DEFAULT_TOKEN_TTL_S = 3600;
/** Failures and in-flight attempts, per client IP and per role_id. */
export const APPROLE_LOGIN_LIMIT = { limit: 10, windowMs: 60_000 };

const iso = (ms: number) => new Date(ms).toISOString();
const clip = (s: string) => s.slice(0, 64);
export const approleIdentity = (id: string) => `approle:${id}`;

export const appRoleView = (r: AppRoleRow): AppRoleView => ({
  role_id: r.id,
  display_name: r.displayName,
  policies: r.policies,
  suspended: r.suspended,
  created_at: iso(r.createdAt),
  updated_at: iso(r.updatedAt),
  last_used: r.lastUsedAt === null ? null : iso(r.lastUsedAt),
  ip_allowlist: r.ipAllowlist,
  token_ttl_seconds: r.tokenTtlSeconds,
});

/** Gatehouse's secret_id format: a random UUID, shown once and stored only as an Argon2id hash. */
export const newSecretId = (): string => randomUUID();

function checkDisplayName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw invalid("display_name", "must not be blank");
  return trimmed;
}

function checkPolicies(ctx: AppContext, names: string[]): string[] {
  const unique = [...new Set(names.map((n) => n.trim()))];
  for (const name of unique) {
    if (!ctx.policies.get(name)) throw invalid("policies", `unknown policy "${clip(name)}"`);
  }
  return unique;
}

function checkAllowlist(entries: string[]): string[] {
  const trimmed = entries.map((e) => e.trim());
  parseCidrList(trimmed, "ip_allowlist");
  return trimmed;
}

export async function findAppRole(ctx: AppContext, id: string, db: Db = ctx.store.db): Promise<AppRoleRow> {
  const { approles } = ctx.store.t;
  const [row] = await db.select().from(approles).where(eq(approles.id, id.trim()));
  if (!row) throw new GatehouseError("not_found", `No AppRole "${clip(id)}"`);
  return row;
}

/** Replaces the secret_id hash and bumps secret_gen, so every token issued before dies at once. */
export async function replaceSecret(ctx: AppContext, tx: Db, roleId: string, hash: string) {
  const { approles } = ctx.store.t;
  const [row] = await tx
    .update(approles)
    .set({ secretIdHash: hash, secretGen: sql`${approles.secretGen} + 1`, updatedAt: ctx.now() })
    .where(eq(approles.id, roleId))
    .returning();
  if (!row) throw new GatehouseError("not_found", `No AppRole "${clip(roleId)}"`);
  return row;
}

async function audit(
  ctx: AppContext,
  tx: Db,
  actor: Actor,
  action: string,
  roleId: string,
  metadata?: Record<string, unknown>,
) {
  await ctx.audit.append(
    {
      identity: actor.identity,
      action,
      path: approleIdentity(roleId),
      sourceIp: actor.ip,
      requestId: actor.requestId,
      success: true,
      metadata,
    },
    tx,
  );
}

export async function listAppRoles(ctx: AppContext, actor: Actor) {
  requireGlobalAdmin(ctx, actor);
  const { approles } = ctx.store.t;
  const rows = await ctx.store.db.select().from(approles).orderBy(asc(approles.createdAt), asc(approles.id));
  return rows.map(appRoleView);
}

export async function getAppRole(ctx: AppContext, actor: Actor, id: string) {
  requireGlobalAdmin(ctx, actor);
  return appRoleView(await findAppRole(ctx, id));
}

export async function createAppRole(ctx: AppContext, actor: Actor, input: CreateAppRole) {
  requireGlobalAdmin(ctx, actor);
  const displayName = checkDisplayName(input.display_name);
  const policies = checkPolicies(ctx, input.policies);
  const ipAllowlist = checkAllowlist(input.ip_allowlist ?? []);
  const ttl = input.token_ttl_seconds ?? DEFAULT_TOKEN_TTL_S;
  const secretId = newSecretId();
  const hash = await ctx.passwords.hash(secretId);
  const now = ctx.now();
  const row: AppRoleRow = {
    id: `role-${randomUUID()}`,
    displayName,
    policies,
    ipAllowlist,
    tokenTtlSeconds: ttl,
    suspended: false,
    secretIdHash: hash,
    secretGen: 1,
    createdAt: now,
    updatedAt: now,
    lastUsedAt: null,
  };
  await ctx.store.tx(async (tx) => {
    await tx.insert(ctx.store.t.approles).values(row);
    await audit(ctx, tx, actor, "approle.create", row.id, {
      display_name: displayName,
      policies,
      ip_allowlist: ipAllowlist,
      token_ttl_seconds: ttl,
    });
  });
  return {
    role_id: row.id,
    secret_id: secretId,
    display_name: displayName,
    policies,
    ip_allowlist: ipAllowlist,
    token_ttl_seconds: ttl,
  };
}

export async function updateAppRole(ctx: AppContext, actor: Actor, id: string, input: UpdateAppRole) {
  requireGlobalAdmin(ctx, actor);
  const changes: Partial<AppRoleRow> = {};
  if (input.display_name !== undefined) changes.displayName = checkDisplayName(input.display_name);
  if (input.policies !== undefined) changes.policies = checkPolicies(ctx, input.policies);
  if (input.ip_allowlist !== undefined) changes.ipAllowlist = checkAllowlist(input.ip_allowlist);
  if (input.token_ttl_seconds !== undefined) changes.tokenTtlSeconds = input.token_ttl_seconds;
  const fields = Object.keys(input).filter((k) => input[k as keyof UpdateAppRole] !== undefined);
  if (fields.length === 0) throw invalid("body", "nothing to change");
  const { approles } = ctx.store.t;
  const row = await ctx.store.tx(async (tx) => {
    const [updated] = await tx
      .update(approles)
      .set({ ...changes, updatedAt: ctx.now() })
      .where(eq(approles.id, id.trim()))
      .returning();
    if (!updated) throw new GatehouseError("not_found", `No AppRole "${clip(id)}"`);
    await audit(ctx, tx, actor, "approle.update", updated.id, {
      changed: fields,
      ...(input.display_name !== undefined && { display_name: updated.displayName }),
      ...(input.policies !== undefined && { policies: updated.policies }),
      ...(input.ip_allowlist !== undefined && { ip_allowlist: updated.ipAllowlist }),
      ...(input.token_ttl_seconds !== undefined && { token_ttl_seconds: updated.tokenTtlSeconds }),
    });
    return updated;
  });
  return appRoleView(row);
}

export async function setSuspended(ctx: AppContext, actor: Actor, id: string, suspended: boolean) {
  requireGlobalAdmin(ctx, actor);
  const { approles } = ctx.store.t;
  const row = await ctx.store.tx(async (tx) => {
    const [updated] = await tx
      .update(approles)
      .set({ suspended, updatedAt: ctx.now() })
      .where(eq(approles.id, id.trim()))
      .returning();
    if (!updated) throw new GatehouseError("not_found", `No AppRole "${clip(id)}"`);
    await audit(ctx, tx, actor, "approle.suspend", updated.id, { suspended });
    return updated;
  });
  return appRoleView(row);
}

/** Deletes the AppRole; its onboarding and rotate links go with it (foreign-key cascade). */
export async function deleteAppRole(ctx: AppContext, actor: Actor, id: string) {
  requireGlobalAdmin(ctx, actor);
  const { approles } = ctx.store.t;
  const roleId = await ctx.store.tx(async (tx) => {
    const [gone] = await tx
      .delete(approles)
      .where(eq(approles.id, id.trim()))
      .returning({ id: approles.id, displayName: approles.displayName });
    if (!gone) throw new GatehouseError("not_found", `No AppRole "${clip(id)}"`);
    await audit(ctx, tx, actor, "approle.delete", gone.id, { display_name: gone.displayName });
    return gone.id;
  });
  return { role_id: roleId, deleted: true };
}

export async function rotateSecret(ctx: AppContext, actor: Actor, id: string) {
  requireGlobalAdmin(ctx, actor);
  const existing = await findAppRole(ctx, id);
  const secretId = newSecretId();
  const hash = await ctx.passwords.hash(secretId);
  const row = await ctx.store.tx(async (tx) => {
    const updated = await replaceSecret(ctx, tx, existing.id, hash);
    await audit(ctx, tx, actor, "approle.rotate_secret", updated.id, { via: "admin" });
    return updated;
  });
  return { role_id: row.id, secret_id: secretId };
}

/** Signs an AppRole token bound to the current secret generation (resolve re-checks it per request). */
export async function issueAppRoleToken(ctx: AppContext, role: AppRoleRow) {
  const { token } = await ctx.jwt.sign(
    { typ: "approle", uid: role.id, ver: role.secretGen },
    role.tokenTtlSeconds,
  );
  return {
    token,
    identity: approleIdentity(role.id),
    policies: role.policies,
    expires_in: role.tokenTtlSeconds,
  };
}

async function auditLoginFailure(
  ctx: AppContext,
  caller: Caller,
  roleId: string,
  known: boolean,
  reason: string,
) {
  await ctx.audit.append({
    identity: known ? approleIdentity(roleId) : "anonymous",
    action: "auth.approle.login.failure",
    path: known ? approleIdentity(roleId) : null,
    sourceIp: caller.ip,
    requestId: caller.requestId,
    success: false,
    outcome: "denied",
    metadata: { reason, ...(known ? {} : { role_id: clip(roleId) }) },
  });
}

/**
 * role_id + secret_id -> token. Order: rate limit (in-flight attempts count), one Argon2
 * verification even for an unknown role_id (no timing oracle), suspension, then the IP allowlist.
 */
export async function appRoleLogin(ctx: AppContext, caller: Caller, input: AppRoleLogin) {
  const roleId = input.role_id.trim();
  const { approles } = ctx.store.t;
  return limited(
    ctx.limiter,
    [`approle:ip:${caller.ip}`, `approle:role:${roleId}`],
    APPROLE_LOGIN_LIMIT,
    async () => {
      const [role] = await ctx.store.db.select().from(approles).where(eq(approles.id, roleId));
      const ok = await ctx.passwords.verify(input.secret_id, role?.secretIdHash);
      if (!role || !ok) {
        await auditLoginFailure(ctx, caller, roleId, Boolean(role), "invalid_credentials");
        throw new GatehouseError("unauthorized", "Invalid role_id or secret_id");
      }
      if (role.suspended) {
        await auditLoginFailure(ctx, caller, role.id, true, "suspended");
        throw new GatehouseError("suspended", "This AppRole is suspended");
      }
      if (!ipAllowed(role.ipAllowlist, caller.ip)) {
        await auditLoginFailure(ctx, caller, role.id, true, "ip_not_allowed");
        throw new GatehouseError(
          "ip_not_allowed",
          `Logins from ${caller.ip} are not allowed for this AppRole`,
        );
      }
      const issued = await issueAppRoleToken(ctx, role);
      await ctx.store.tx(async (tx) => {
        await tx.update(approles).set({ lastUsedAt: ctx.now() }).where(eq(approles.id, role.id));
        await ctx.audit.append(
          {
            identity: approleIdentity(role.id),
            action: "auth.approle.login",
            path: approleIdentity(role.id),
            sourceIp: caller.ip,
            requestId: caller.requestId,
            success: true,
            metadata: { token_ttl_seconds: role.tokenTtlSeconds },
          },
          tx,
        );
      });
      return issued;
    },
  );
}
