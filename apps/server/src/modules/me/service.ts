import { randomUUID } from "node:crypto";
import { GatehouseError, invalid } from "@gatehouse/core";
import { randomToken, sha256Hex } from "@gatehouse/core/crypto";
import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import type { Actor } from "../../auth/actor";
import { requireUser } from "../../auth/guards";
import { limited } from "../../auth/rate-limit";
import { ACCESS_TOKEN_PREFIX } from "../../auth/resolve";
import type { AppContext } from "../../context";
import { checkPassword, publicUser, revokeUserCredentials, type UserRow } from "../users/service";
import type { ChangePassword, CreateToken } from "./model";

const REAUTH_LIMIT = { limit: 5, windowMs: 60_000 };
const MAX_ACTIVE_TOKENS = 50;
const DAY_MS = 86_400_000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The signed-in user's row, fresh from the database; "me" routes exist for users only. */
export async function loadMe(ctx: AppContext, actor: Actor): Promise<UserRow> {
  requireUser(actor);
  const { users } = ctx.store.t;
  const [u] = await ctx.store.db.select().from(users).where(eq(users.id, actor.subjectId));
  if (!u) throw new GatehouseError("unauthorized", "This user no longer exists");
  return u;
}

/** A leaked access token must not be able to mint more tokens or change the account's sign-in factors. */
export function requireInteractive(actor: Actor): void {
  if (actor.authMethod === "access_token") {
    throw new GatehouseError(
      "forbidden",
      "Access tokens cannot change credentials; sign in with your password to do this",
    );
  }
}

export const auditBy = (actor: Actor) => ({
  identity: actor.identity,
  sourceIp: actor.ip,
  requestId: actor.requestId,
});

/** Re-checks the user's password before a sensitive change, rate limited per account and per IP. */
export async function confirmPassword(
  ctx: AppContext,
  actor: Actor,
  user: UserRow,
  password: string,
  field: string,
  action: string,
): Promise<void> {
  await limited(ctx.limiter, [`reauth:user:${user.id}`, `reauth:ip:${actor.ip}`], REAUTH_LIMIT, async () => {
    if (await ctx.passwords.verify(password, user.passwordHash)) return;
    await ctx.audit.append({ ...auditBy(actor), action, success: false, outcome: "denied" });
    throw invalid(field, "is not the current password");
  });
}

export async function getProfile(ctx: AppContext, actor: Actor) {
  const u = await loadMe(ctx, actor);
  const { sessions } = ctx.store.t;
  const live = await ctx.store.db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.userId, u.id), gt(sessions.expiresAt, ctx.now())));
  return { user: publicUser(u), session_count: live.length };
}

/** Changes my password; every other session and every user JWT (including the caller's) stops working. */
export async function changePassword(ctx: AppContext, actor: Actor, input: ChangePassword) {
  const u = await loadMe(ctx, actor);
  requireInteractive(actor);
  checkPassword(input.new_password, "new_password");
  await confirmPassword(ctx, actor, u, input.current_password, "current_password", "user.password.change");
  const hash = await ctx.passwords.hash(input.new_password);
  const { users } = ctx.store.t;
  const ended = await ctx.store.tx(async (tx) => {
    const [fresh] = await tx.select().from(users).where(eq(users.id, u.id));
    if (!fresh) throw new GatehouseError("unauthorized", "This user no longer exists");
    const n = await revokeUserCredentials(ctx, tx, fresh, actor.sessionId);
    await tx.update(users).set({ passwordHash: hash, updatedAt: ctx.now() }).where(eq(users.id, u.id));
    await ctx.audit.append(
      { ...auditBy(actor), action: "user.password.change", success: true, metadata: { sessions_ended: n } },
      tx,
    );
    return n;
  });
  return { updated: true as const, sessions_ended: ended };
}

type TokenRow = AppContext["store"]["t"]["accessTokens"]["$inferSelect"];

const tokenStatus = (r: TokenRow, now: number): "active" | "expired" | "revoked" =>
  r.revokedAt !== null ? "revoked" : r.expiresAt !== null && r.expiresAt <= now ? "expired" : "active";

export async function listTokens(ctx: AppContext, actor: Actor) {
  requireUser(actor);
  const { accessTokens } = ctx.store.t;
  const rows = await ctx.store.db
    .select()
    .from(accessTokens)
    .where(eq(accessTokens.userId, actor.subjectId))
    .orderBy(desc(accessTokens.createdAt));
  const now = ctx.now();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    created_at: new Date(r.createdAt).toISOString(),
    expires_at: iso(r.expiresAt),
    last_used_at: iso(r.lastUsedAt),
    revoked_at: iso(r.revokedAt),
    status: tokenStatus(r, now),
  }));
}

/** Mints a personal access token: the value is returned once, only its SHA-256 is stored. */
export async function createToken(ctx: AppContext, actor: Actor, input: CreateToken) {
  requireUser(actor);
  requireInteractive(actor);
  const name = input.name.trim();
  if (!name) throw invalid("name", "must not be blank");
  const { accessTokens } = ctx.store.t;
  const token = `${ACCESS_TOKEN_PREFIX}${randomToken(32)}`;
  const id = `pat-${randomUUID()}`;
  const now = ctx.now();
  const expiresAt = input.expires_in_days ? now + input.expires_in_days * DAY_MS : null;
  await ctx.store.tx(async (tx) => {
    const active = await tx
      .select({ id: accessTokens.id })
      .from(accessTokens)
      .where(
        and(
          eq(accessTokens.userId, actor.subjectId),
          isNull(accessTokens.revokedAt),
          or(isNull(accessTokens.expiresAt), gt(accessTokens.expiresAt, now)),
        ),
      );
    if (active.length >= MAX_ACTIVE_TOKENS) {
      throw new GatehouseError(
        "conflict",
        `You already have ${MAX_ACTIVE_TOKENS} active tokens; revoke one first`,
      );
    }
    await tx.insert(accessTokens).values({
      id,
      userId: actor.subjectId,
      name,
      tokenHash: sha256Hex(token),
      createdAt: now,
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    });
    await ctx.audit.append(
      {
        ...auditBy(actor),
        action: "user.token.create",
        path: `token:${id}`,
        success: true,
        metadata: { name, expires_at: iso(expiresAt) },
      },
      tx,
    );
  });
  return { id, name, token, expires_at: iso(expiresAt) };
}

export async function revokeToken(ctx: AppContext, actor: Actor, id: string) {
  requireUser(actor);
  const { accessTokens } = ctx.store.t;
  await ctx.store.tx(async (tx) => {
    // Someone else's token id answers exactly like a missing one.
    const [row] = await tx
      .select()
      .from(accessTokens)
      .where(and(eq(accessTokens.id, id), eq(accessTokens.userId, actor.subjectId)));
    if (!row) throw new GatehouseError("not_found", `No access token "${id}"`);
    if (row.revokedAt !== null)
      throw new GatehouseError("conflict", `Access token "${id}" is already revoked`);
    await tx.update(accessTokens).set({ revokedAt: ctx.now() }).where(eq(accessTokens.id, id));
    await ctx.audit.append(
      {
        ...auditBy(actor),
        action: "user.token.revoke",
        path: `token:${id}`,
        success: true,
        metadata: { name: row.name },
      },
      tx,
    );
  });
  return { revoked: true as const };
}
