import { randomUUID } from "node:crypto";
import { GatehouseError, invalid } from "@gatehouse/core";
import { eq } from "drizzle-orm";
import { type Actor, USER_ROLES, type UserRole } from "../../auth/actor";
import type { AppContext } from "../../context";
import type { Db } from "../../db/store";

export type UserRow = AppContext["store"]["t"]["users"]["$inferSelect"];

const USERNAME = /^[a-zA-Z0-9._-]{2,64}$/;

export function checkPassword(password: string): void {
  if (password.length < 8) throw invalid("password", "must be at least 8 characters");
  if (password.length > 1024) throw invalid("password", "must be at most 1024 characters");
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
