import { randomUUID } from "node:crypto";
import { GatehouseError, invalid } from "@gatehouse/core";
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { type Actor, USER_ROLES, type UserRole } from "../../auth/actor";
import { requireGlobalAdmin } from "../../auth/guards";
import type { AppContext } from "../../context";
import type { Db } from "../../db/store";
import type { CreateUserInput, UpdateUserInput } from "./model";

export type UserRow = AppContext["store"]["t"]["users"]["$inferSelect"];

const USERNAME = /^[a-zA-Z0-9._-]{2,64}$/;

export function checkPassword(password: string, field = "password"): void {
  if (password.length < 8) throw invalid(field, "must be at least 8 characters");
  if (password.length > 1024) throw invalid(field, "must be at most 1024 characters");
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function checkEmail(email: string | null | undefined): void {
  if (email?.trim() && !EMAIL.test(email.trim())) throw invalid("email", "is not an email address");
}

/** Policy names must exist; `admin` is granted through the role, so a viewer can never hold it. */
export function checkPolicies(ctx: AppContext, names: string[]): void {
  for (const name of names) {
    if (name === "admin") throw invalid("policies", 'grant "admin" with role: admin, not as a policy');
    if (!ctx.policies.get(name)) throw invalid("policies", `unknown policy "${name}"`);
  }
}

export interface NewUser {
  username: string;
  password?: string;
  display_name?: string;
  email?: string | null;
  role?: UserRole;
  policies?: string[];
  authSource?: "local" | "oidc";
}

/** What leaves the server about a user: never hashes, TOTP secrets or recovery codes. */
export const publicUser = (u: UserRow) => ({
  id: u.id,
  username: u.username,
  display_name: u.displayName,
  email: u.email,
  role: u.role as UserRole,
  policies: u.policies,
  enabled: u.enabled,
  totp_enabled: u.totpSecret !== null,
  recovery_codes_remaining: u.recoveryCodes.length,
  auth_source: u.authSource,
  created_at: new Date(u.createdAt).toISOString(),
  last_login_at: u.lastLoginAt ? new Date(u.lastLoginAt).toISOString() : null,
});

/** Inserts a user inside `tx` (hash the password before opening the transaction) and audits it. */
export async function insertUser(
  ctx: AppContext,
  tx: Db,
  input: NewUser,
  passwordHash: string | null,
  by: Pick<Actor, "identity" | "ip" | "requestId">,
): Promise<UserRow> {
  const { users } = ctx.store.t;
  const username = input.username.trim();
  if (!USERNAME.test(username)) throw invalid("username", "2-64 characters from a-z, A-Z, 0-9, . _ -");
  const role = input.role ?? "viewer";
  if (!USER_ROLES.includes(role)) throw invalid("role", "must be admin, approver or viewer");
  checkEmail(input.email);
  const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.username, username));
  if (existing) throw new GatehouseError("conflict", `User "${username}" already exists`);
  const now = ctx.now();
  const row: UserRow = {
    id: `user-${randomUUID()}`,
    username,
    displayName: input.display_name?.trim() || username,
    email: input.email?.trim() || null,
    passwordHash,
    role,
    policies: input.policies ?? [],
    enabled: true,
    totpSecret: null,
    totpPending: null,
    totpLastStep: 0,
    recoveryCodes: [],
    tokenVersion: 1,
    authSource: input.authSource ?? "local",
    createdAt: now,
    updatedAt: now,
    lastLoginAt: null,
  };
  await tx.insert(users).values(row);
  await ctx.audit.append(
    {
      identity: by.identity,
      action: "user.create",
      path: `user:${username}`,
      sourceIp: by.ip,
      requestId: by.requestId,
      success: true,
      metadata: { role },
    },
    tx,
  );
  return row;
}

export async function findUserByName(ctx: AppContext, username: string): Promise<UserRow | undefined> {
  const { users } = ctx.store.t;
  return (await ctx.store.db.select().from(users).where(eq(users.username, username.trim())))[0];
}

export async function countUsers(ctx: AppContext): Promise<number> {
  const rows = await ctx.store.db.select({ id: ctx.store.t.users.id }).from(ctx.store.t.users).limit(1);
  return rows.length;
}

// Serializes changes that could remove the last enabled admin (a no-op on SQLite's single writer).
const USER_ADMIN_LOCK = 7201010;

/** Audits a refused admin request before throwing 403, so probing the user API leaves a trace. */
async function authorizeAdmin(ctx: AppContext, actor: Actor, action: string, path?: string) {
  if (ctx.policies.isGlobalAdmin(actor)) return;
  await ctx.audit.append({
    identity: actor.identity,
    action,
    path: path ?? null,
    sourceIp: actor.ip,
    requestId: actor.requestId,
    success: false,
    outcome: "denied",
  });
  requireGlobalAdmin(ctx, actor);
}

/** Ends every session of a user (but `keepSessionId`) and bumps its token version: older JWTs stop verifying. */
export async function revokeUserCredentials(
  ctx: AppContext,
  tx: Db,
  user: Pick<UserRow, "id">,
  keepSessionId?: string,
): Promise<number> {
  const { sessions, users } = ctx.store.t;
  const where = keepSessionId
    ? and(eq(sessions.userId, user.id), ne(sessions.id, keepSessionId))
    : eq(sessions.userId, user.id);
  const ended = await tx.delete(sessions).where(where).returning({ id: sessions.id });
  await tx
    .update(users)
    .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
    .where(eq(users.id, user.id));
  return ended.length;
}

async function assertAnotherAdmin(tx: Db, ctx: AppContext, user: UserRow) {
  const { users } = ctx.store.t;
  const others = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, "admin"), eq(users.enabled, true), ne(users.id, user.id)))
    .limit(1);
  if (others.length === 0) {
    throw new GatehouseError(
      "conflict",
      `"${user.username}" is the last enabled admin; make another user admin first`,
    );
  }
}

const isActiveAdmin = (u: Pick<UserRow, "enabled" | "role">) => u.enabled && u.role === "admin";

export async function listUsers(ctx: AppContext, actor: Actor) {
  await authorizeAdmin(ctx, actor, "user.list");
  const { users } = ctx.store.t;
  const rows = await ctx.store.db.select().from(users).orderBy(asc(users.username));
  return rows.map(publicUser);
}

export async function createUser(ctx: AppContext, actor: Actor, input: CreateUserInput) {
  await authorizeAdmin(ctx, actor, "user.create", `user:${input.username.trim()}`);
  checkPassword(input.password);
  checkPolicies(ctx, input.policies ?? []);
  const hash = await ctx.passwords.hash(input.password);
  const row = await ctx.store.tx((tx) => insertUser(ctx, tx, input, hash, actor));
  return publicUser(row);
}

export async function updateUser(ctx: AppContext, actor: Actor, username: string, input: UpdateUserInput) {
  await authorizeAdmin(ctx, actor, "user.update", `user:${username}`);
  if (input.password !== undefined) checkPassword(input.password);
  if (input.policies) checkPolicies(ctx, input.policies);
  checkEmail(input.email);
  const hash = input.password !== undefined ? await ctx.passwords.hash(input.password) : undefined;
  const { users } = ctx.store.t;
  return ctx.store.tx(async (tx) => {
    await ctx.store.lockChain(tx, USER_ADMIN_LOCK);
    const [u] = await tx.select().from(users).where(eq(users.username, username));
    if (!u) throw new GatehouseError("not_found", `No user named "${username}"`);
    const set: Partial<UserRow> = { updatedAt: ctx.now() };
    const changed: string[] = [];
    if (input.display_name !== undefined) {
      set.displayName = input.display_name.trim() || u.username;
      changed.push("display_name");
    }
    if (input.email !== undefined) {
      set.email = input.email?.trim() || null;
      changed.push("email");
    }
    if (input.role !== undefined && input.role !== u.role) {
      set.role = input.role;
      changed.push("role");
    }
    if (input.enabled !== undefined && input.enabled !== u.enabled) {
      set.enabled = input.enabled;
      changed.push("enabled");
    }
    if (input.policies !== undefined) {
      set.policies = [...new Set(input.policies)];
      changed.push("policies");
    }
    if (hash !== undefined) {
      set.passwordHash = hash;
      changed.push("password");
    }
    const resetTotp = input.reset_totp === true;
    if (resetTotp) {
      Object.assign(set, { totpSecret: null, totpPending: null, recoveryCodes: [] });
      changed.push("totp");
    }
    if (isActiveAdmin(u) && !isActiveAdmin({ enabled: set.enabled ?? u.enabled, role: set.role ?? u.role })) {
      await assertAnotherAdmin(tx, ctx, u);
    }
    const ended =
      set.enabled === false || hash !== undefined || resetTotp ? await revokeUserCredentials(ctx, tx, u) : 0;
    await tx.update(users).set(set).where(eq(users.id, u.id));
    const by = { identity: actor.identity, sourceIp: actor.ip, requestId: actor.requestId, success: true };
    await ctx.audit.append(
      {
        ...by,
        action: "user.update",
        path: `user:${u.username}`,
        metadata: {
          changed,
          ...(set.role ? { role: set.role } : {}),
          ...(set.enabled !== undefined ? { enabled: set.enabled } : {}),
          ...(set.policies ? { policies: set.policies } : {}),
          sessions_ended: ended,
        },
      },
      tx,
    );
    if (resetTotp)
      await ctx.audit.append({ ...by, action: "user.totp.reset", path: `user:${u.username}` }, tx);
    const [fresh] = await tx.select().from(users).where(eq(users.id, u.id));
    return publicUser(fresh ?? u);
  });
}

export async function deleteUser(ctx: AppContext, actor: Actor, username: string) {
  await authorizeAdmin(ctx, actor, "user.delete", `user:${username}`);
  const { users, sessions, accessTokens } = ctx.store.t;
  await ctx.store.tx(async (tx) => {
    await ctx.store.lockChain(tx, USER_ADMIN_LOCK);
    const [u] = await tx.select().from(users).where(eq(users.username, username));
    if (!u) throw new GatehouseError("not_found", `No user named "${username}"`);
    if (isActiveAdmin(u)) await assertAnotherAdmin(tx, ctx, u);
    await tx.delete(sessions).where(eq(sessions.userId, u.id));
    await tx.delete(accessTokens).where(eq(accessTokens.userId, u.id));
    await tx.delete(users).where(eq(users.id, u.id));
    await ctx.audit.append(
      {
        identity: actor.identity,
        action: "user.delete",
        path: `user:${u.username}`,
        sourceIp: actor.ip,
        requestId: actor.requestId,
        success: true,
      },
      tx,
    );
  });
}
