import { randomBytes } from "node:crypto";
import { GatehouseError, isGatehouseError } from "@gatehouse/core";
import { eq, sql } from "drizzle-orm";
import type { Actor, Caller } from "../../auth/actor";
import { limited } from "../../auth/rate-limit";
import type { AppContext } from "../../context";
import type { Db } from "../../db/store";
import { createSession, markSignedIn } from "../auth/service";
import { insertUser, type UserRow } from "../users/service";
import { completeLogin, endSessionUrl, type IdentityClaims, SsoFailure } from "./oidc";
import { isActive, readSettings, type SsoSettings } from "./settings";

// Failures only count; generous, since one browser may retry a few times, but a loop gets cut off.
const CALLBACK_LIMIT = { limit: 30, windowMs: 60_000 };
// Serializes auto-provisioning so two first sign-ins of one email cannot create two users.
const PROVISION_LOCK = 7201020;

export async function activeSettings(ctx: AppContext): Promise<SsoSettings> {
  const s = await readSettings(ctx);
  if (!isActive(s)) throw new GatehouseError("not_found", "Single sign-on is not configured");
  return s;
}

/** Users whose email matches, case-insensitively (emails are not unique, so more than one is refused). */
async function usersByEmail(ctx: AppContext, db: Db, email: string): Promise<UserRow[]> {
  const { users } = ctx.store.t;
  return db.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`).limit(2);
}

const USERNAME_CHARS = /[^a-zA-Z0-9._-]+/g;

/** A free username from the IdP's preferred_username or the email's local part. */
async function freeUsername(ctx: AppContext, tx: Db, id: IdentityClaims, email: string): Promise<string> {
  const { users } = ctx.store.t;
  const local = email.split("@")[0] ?? "";
  const candidates = [id.preferredUsername ?? "", local]
    .map((c) =>
      c
        .replace(USERNAME_CHARS, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 56),
    )
    .filter((c) => c.length >= 2);
  const base = candidates[0] ?? "sso-user";
  for (let i = 0; i < 20; i++) {
    const name = i === 0 ? base : i < 10 ? `${base}-${i + 1}` : `${base}-${randomBytes(3).toString("hex")}`;
    const [taken] = await tx.select({ id: users.id }).from(users).where(eq(users.username, name));
    if (!taken) return name;
  }
  throw new SsoFailure("sso_failed", "no free username for auto-provisioning");
}

async function provision(
  ctx: AppContext,
  caller: Caller,
  s: SsoSettings,
  id: IdentityClaims,
  email: string,
): Promise<UserRow> {
  return ctx.store.tx(async (tx) => {
    await ctx.store.lockChain(tx, PROVISION_LOCK);
    const existing = await usersByEmail(ctx, tx, email);
    if (existing.length > 1)
      throw new SsoFailure("ambiguous_email", "more than one user has this email", { email });
    if (existing[0]) return existing[0];
    const username = await freeUsername(ctx, tx, id, email);
    return insertUser(
      ctx,
      tx,
      { username, display_name: id.name, email, role: s.defaultRole, authSource: "oidc" },
      null,
      { identity: "sso", ip: caller.ip, requestId: caller.requestId },
    );
  });
}

/** Maps the IdP's email to a local user: verified unless trusted, unique, enabled; created if allowed. */
async function mapUser(
  ctx: AppContext,
  caller: Caller,
  s: SsoSettings,
  id: IdentityClaims,
): Promise<UserRow> {
  const email = id.email;
  if (!email)
    throw new SsoFailure("email_missing", "the IdP sent no email claim (is the email scope granted?)");
  if (!id.emailVerified && !s.trustUnverifiedEmail)
    throw new SsoFailure("email_not_verified", "the IdP says the email is not verified", { email });
  const found = await usersByEmail(ctx, ctx.store.db, email);
  if (found.length > 1)
    throw new SsoFailure("ambiguous_email", "more than one user has this email", { email });
  let user = found[0];
  if (!user) {
    if (!s.autoProvision)
      throw new SsoFailure("no_account", "no user has this email and auto-provisioning is off", { email });
    user = await provision(ctx, caller, s, id, email);
  }
  if (!user.enabled)
    throw new SsoFailure("account_disabled", "this user is disabled", { email, username: user.username });
  return user;
}

export type CallbackOutcome =
  | { ok: true; cookie: string; user: UserRow }
  | { ok: false; code: SsoFailure["code"] };

/**
 * The IdP's redirect back: validates everything, then opens a normal cookie session. SSO sign-ins
 * skip local TOTP (the IdP enforces its own MFA). Every failure is audited and logged with its
 * reason, and reported to the browser as a stable code only.
 */
export async function handleCallback(
  ctx: AppContext,
  caller: Caller,
  s: SsoSettings,
  request: Request,
  stateCookie: string | undefined,
): Promise<CallbackOutcome> {
  try {
    const user = await limited(ctx.limiter, [`sso:ip:${caller.ip}`], CALLBACK_LIMIT, async () => {
      const id = await completeLogin(ctx, s, request, stateCookie);
      return mapUser(ctx, caller, s, id);
    });
    await markSignedIn(ctx, caller, user, "sso");
    const session = await createSession(ctx, caller, user, "sso");
    return { ok: true, cookie: session.cookie, user };
  } catch (e) {
    const failure =
      e instanceof SsoFailure
        ? e
        : isGatehouseError(e) && e.code === "rate_limited"
          ? new SsoFailure("rate_limited", "too many failed SSO sign-ins from this address")
          : new SsoFailure("sso_failed", e instanceof Error ? e.message : String(e));
    ctx.log.warn("sso sign-in failed", {
      request_id: caller.requestId,
      code: failure.code,
      reason: failure.reason,
    });
    await ctx.audit.append({
      identity: failure.extra.username ? `user:${failure.extra.username}` : "anonymous",
      action: "auth.login.failure",
      sourceIp: caller.ip,
      requestId: caller.requestId,
      success: false,
      outcome: "denied",
      metadata: {
        method: "sso",
        reason: failure.code,
        ...(failure.extra.email ? { email: failure.extra.email } : {}),
      },
    });
    return { ok: false, code: failure.code };
  }
}

/** The IdP's end-session URL for a session that began with SSO; null otherwise or when there is none. */
export async function logoutUrl(ctx: AppContext, actor: Actor): Promise<string | null> {
  if (!actor.sessionId) return null;
  const { sessions } = ctx.store.t;
  const [row] = await ctx.store.db
    .select({ method: sessions.authMethod })
    .from(sessions)
    .where(eq(sessions.id, actor.sessionId));
  if (row?.method !== "sso") return null;
  const s = await readSettings(ctx);
  return isActive(s) ? endSessionUrl(ctx, s) : null;
}
