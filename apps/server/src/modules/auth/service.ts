import { GatehouseError } from "@gatehouse/core";
import { randomToken, sha256Hex, timingSafeEqualStr } from "@gatehouse/core/crypto";
import { and, eq, ne } from "drizzle-orm";
import type { Actor, Caller } from "../../auth/actor";
import { csrfFor } from "../../auth/csrf";
import { limited } from "../../auth/rate-limit";
import { ACCESS_TOKEN_PREFIX } from "../../auth/resolve";
import { consumeSecondFactor } from "../../auth/totp";
import type { AppContext } from "../../context";
import { getMeta, setMeta } from "../../keys";
import {
  checkPassword,
  countUsers,
  findUserByName,
  insertUser,
  publicUser,
  type UserRow,
} from "../users/service";

export const USER_TOKEN_TTL_S = 24 * 3600;
export const SESSION_TTL_MS = 12 * 3600 * 1000;
const TOTP_PENDING_TTL_S = 300;
export const LOGIN_LIMIT = { limit: 5, windowMs: 60_000 };
const SETUP_LIMIT = { limit: 10, windowMs: 60_000 };

export type SignInMethod = "password" | "access_token";
export type FirstStep = { kind: "done"; user: UserRow; method: string } | { kind: "totp"; totpToken: string };

const denied = () => new GatehouseError("unauthorized", "Invalid username or password");

async function auditLogin(
  ctx: AppContext,
  caller: Caller,
  identity: string,
  success: boolean,
  metadata: Record<string, unknown>,
) {
  await ctx.audit.append({
    identity,
    action: success ? "auth.login" : "auth.login.failure",
    sourceIp: caller.ip,
    requestId: caller.requestId,
    success,
    outcome: success ? "success" : "denied",
    metadata,
  });
}

async function afterFirstFactor(
  ctx: AppContext,
  caller: Caller,
  user: UserRow,
  method: SignInMethod,
): Promise<FirstStep> {
  if (!user.enabled) {
    await auditLogin(ctx, caller, `user:${user.username}`, false, { method, reason: "disabled" });
    throw new GatehouseError("unauthorized", "This user is disabled");
  }
  if (user.totpSecret) {
    const { token } = await ctx.jwt.sign(
      { typ: "totp_pending", uid: user.id, ver: user.tokenVersion },
      TOTP_PENDING_TTL_S,
    );
    return { kind: "totp", totpToken: token };
  }
  return { kind: "done", user, method };
}

/** Username + password, rate limited per IP and per account (in-flight attempts count). */
export async function passwordSignIn(
  ctx: AppContext,
  caller: Caller,
  username: string,
  password: string,
): Promise<FirstStep> {
  const name = username.trim().toLowerCase();
  const user = await limited(
    ctx.limiter,
    [`login:ip:${caller.ip}`, `login:user:${name}`],
    LOGIN_LIMIT,
    async () => {
      const u = await findUserByName(ctx, username);
      const ok = await ctx.passwords.verify(password, u?.passwordHash);
      if (!u || !ok) {
        await auditLogin(ctx, caller, `user:${username.trim().slice(0, 64)}`, false, { method: "password" });
        throw denied();
      }
      return u;
    },
  );
  return afterFirstFactor(ctx, caller, user, "password");
}

/** A personal access token used to sign in to the UI: the user's TOTP is still required. */
export async function accessTokenSignIn(ctx: AppContext, caller: Caller, token: string): Promise<FirstStep> {
  const { accessTokens, users } = ctx.store.t;
  const user = await limited(ctx.limiter, [`login:ip:${caller.ip}`], LOGIN_LIMIT, async () => {
    const [row] = token.startsWith(ACCESS_TOKEN_PREFIX)
      ? await ctx.store.db
          .select({ t: accessTokens, u: users })
          .from(accessTokens)
          .innerJoin(users, eq(users.id, accessTokens.userId))
          .where(eq(accessTokens.tokenHash, sha256Hex(token)))
      : [];
    const now = ctx.now();
    if (!row || row.t.revokedAt !== null || (row.t.expiresAt !== null && row.t.expiresAt <= now)) {
      await auditLogin(ctx, caller, "anonymous", false, { method: "access_token" });
      throw new GatehouseError("unauthorized", "Access token is invalid, expired or revoked");
    }
    return row.u;
  });
  return afterFirstFactor(ctx, caller, user, "access_token");
}

/** The TOTP step after a password or access-token sign-in. */
export async function totpSignIn(ctx: AppContext, caller: Caller, totpToken: string, code: string) {
  const claims = await ctx.jwt.verify(totpToken);
  if (claims.typ !== "totp_pending") throw new GatehouseError("unauthorized", "Not a TOTP sign-in token");
  const { users } = ctx.store.t;
  return limited(ctx.limiter, [`totp:ip:${caller.ip}`, `totp:user:${claims.uid}`], LOGIN_LIMIT, async () => {
    const [user] = await ctx.store.db.select().from(users).where(eq(users.id, claims.uid));
    if (!user || user.tokenVersion !== claims.ver || !user.enabled)
      throw new GatehouseError("unauthorized", "Sign-in expired; start again");
    try {
      const { recoveryConsumed } = await consumeSecondFactor(ctx, user, code);
      return { user, recoveryConsumed };
    } catch (e) {
      await auditLogin(ctx, caller, `user:${user.username}`, false, { method: "totp" });
      throw e;
    }
  });
}

export async function markSignedIn(ctx: AppContext, caller: Caller, user: UserRow, method: string) {
  const { users } = ctx.store.t;
  await ctx.store.tx(async (tx) => {
    await tx.update(users).set({ lastLoginAt: ctx.now() }).where(eq(users.id, user.id));
    await ctx.audit.append(
      {
        identity: `user:${user.username}`,
        action: "auth.login",
        sourceIp: caller.ip,
        requestId: caller.requestId,
        success: true,
        metadata: { method },
      },
      tx,
    );
  });
}

export async function issueUserToken(ctx: AppContext, user: UserRow) {
  const { token } = await ctx.jwt.sign(
    { typ: "user", uid: user.id, ver: user.tokenVersion },
    USER_TOKEN_TTL_S,
  );
  return {
    token,
    identity: `user:${user.username}`,
    display_name: user.displayName,
    role: user.role,
    expires_in: USER_TOKEN_TTL_S,
  };
}

export async function createSession(ctx: AppContext, caller: Caller, user: UserRow, method: string) {
  const cookie = randomToken(32);
  const id = sha256Hex(cookie);
  const csrf = csrfFor(ctx.keys.jwtKey, id);
  const now = ctx.now();
  await ctx.store.tx((tx) =>
    tx.insert(ctx.store.t.sessions).values({
      id,
      userId: user.id,
      authMethod: method,
      ip: caller.ip,
      userAgent: caller.userAgent ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + SESSION_TTL_MS,
    }),
  );
  return { cookie, csrf, user: publicUser(user) };
}

/** A page reload lost the in-memory CSRF token: the session's token again (the same for every tab). */
export const sessionCsrf = (ctx: AppContext, sessionId: string): string =>
  csrfFor(ctx.keys.jwtKey, sessionId);

export async function endSession(ctx: AppContext, actor: Actor) {
  if (!actor.sessionId) return;
  const { sessions } = ctx.store.t;
  await ctx.store.tx(async (tx) => {
    await tx.delete(sessions).where(eq(sessions.id, actor.sessionId ?? ""));
    await ctx.audit.append(
      {
        identity: actor.identity,
        action: "auth.logout",
        sourceIp: actor.ip,
        requestId: actor.requestId,
        success: true,
      },
      tx,
    );
  });
}

export async function listSessions(ctx: AppContext, actor: Actor) {
  const { sessions } = ctx.store.t;
  const rows = await ctx.store.db.select().from(sessions).where(eq(sessions.userId, actor.subjectId));
  return rows
    .filter((s) => s.expiresAt > ctx.now())
    .map((s) => ({
      id: s.id.slice(0, 16),
      current: s.id === actor.sessionId,
      auth_method: s.authMethod,
      ip: s.ip,
      user_agent: s.userAgent,
      created_at: new Date(s.createdAt).toISOString(),
      last_seen_at: new Date(s.lastSeenAt).toISOString(),
      expires_at: new Date(s.expiresAt).toISOString(),
    }));
}

/** Ends one session by its listed id prefix, or every session and token ("sign out everywhere"). */
export async function revokeSessions(ctx: AppContext, actor: Actor, idPrefix?: string) {
  const { sessions, users } = ctx.store.t;
  return ctx.store.tx(async (tx) => {
    const mine = await tx
      .select({ id: sessions.id })
      .from(sessions)
      .where(eq(sessions.userId, actor.subjectId));
    const doomed = idPrefix ? mine.filter((s) => s.id.startsWith(idPrefix) && idPrefix.length >= 16) : mine;
    if (idPrefix && doomed.length !== 1) throw new GatehouseError("not_found", "No such session");
    for (const s of doomed) await tx.delete(sessions).where(eq(sessions.id, s.id));
    if (!idPrefix) {
      const [u] = await tx.select({ v: users.tokenVersion }).from(users).where(eq(users.id, actor.subjectId));
      await tx
        .update(users)
        .set({ tokenVersion: (u?.v ?? 0) + 1 })
        .where(eq(users.id, actor.subjectId));
    }
    await ctx.audit.append(
      {
        identity: actor.identity,
        action: idPrefix ? "auth.session.revoke" : "auth.session.revoke_all",
        sourceIp: actor.ip,
        requestId: actor.requestId,
        success: true,
        metadata: { count: doomed.length },
      },
      tx,
    );
    return doomed.length;
  });
}

/** Re-issues a token after re-checking the subject (suspension, secret rotation, disabled user). */
export async function refresh(ctx: AppContext, actor: Actor) {
  if (actor.kind === "user") {
    const [u] = await ctx.store.db
      .select()
      .from(ctx.store.t.users)
      .where(eq(ctx.store.t.users.id, actor.subjectId));
    if (!u) throw new GatehouseError("unauthorized", "User no longer exists");
    return issueUserToken(ctx, u);
  }
  if (actor.kind === "approle") {
    const { approles } = ctx.store.t;
    const [r] = await ctx.store.db.select().from(approles).where(eq(approles.id, actor.subjectId));
    if (!r) throw new GatehouseError("unauthorized", "AppRole no longer exists");
    const { token } = await ctx.jwt.sign({ typ: "approle", uid: r.id, ver: r.secretGen }, r.tokenTtlSeconds);
    return { token, identity: actor.identity, policies: r.policies, expires_in: r.tokenTtlSeconds };
  }
  throw new GatehouseError("invalid_request", "The root token does not expire and cannot be refreshed");
}

// First-run setup: a one-time link printed at boot while no user exists.
const SETUP_KEY = "setup_token_hash";

export async function issueSetupToken(ctx: AppContext): Promise<string | null> {
  if ((await countUsers(ctx)) > 0) return null;
  const token = randomToken(24);
  await ctx.store.tx((tx) => setMeta(ctx.store, tx, SETUP_KEY, sha256Hex(token)));
  return token;
}

export async function completeSetup(
  ctx: AppContext,
  caller: Caller,
  input: { setup_token: string; username: string; password: string; display_name?: string; email?: string },
) {
  checkPassword(input.password);
  return limited(ctx.limiter, [`setup:ip:${caller.ip}`], SETUP_LIMIT, async () => {
    const hash = await ctx.passwords.hash(input.password);
    const user = await ctx.store.tx(async (tx) => {
      const stored = await getMeta(ctx.store, tx, SETUP_KEY);
      if (
        (await tx.select({ id: ctx.store.t.users.id }).from(ctx.store.t.users).limit(1)).length > 0 ||
        !stored
      ) {
        throw new GatehouseError("gone", "Setup is already complete; sign in instead");
      }
      if (!timingSafeEqualStr(sha256Hex(input.setup_token), stored))
        throw new GatehouseError("forbidden", "The setup link is wrong or expired");
      const by = { identity: "setup", ip: caller.ip, requestId: caller.requestId };
      const u = await insertUser(ctx, tx, { ...input, role: "admin" }, hash, by);
      await tx
        .delete(ctx.store.t.meta)
        .where(and(eq(ctx.store.t.meta.key, SETUP_KEY), ne(ctx.store.t.meta.value, "")));
      return u;
    });
    return user;
  });
}
