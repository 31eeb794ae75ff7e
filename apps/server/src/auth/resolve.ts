import { timingSafeEqual } from "node:crypto";
import { GatehouseError } from "@gatehouse/core";
import { sha256Hex, timingSafeEqualStr } from "@gatehouse/core/crypto";
import { anyCidrContains, parseCidrList } from "@gatehouse/core/net";
import { eq } from "drizzle-orm";
import type { AppContext } from "../context";
import { type Actor, type Caller, effectivePolicies, type UserRole } from "./actor";
import { csrfFor } from "./csrf";
import { authQueries } from "./queries";

export const SESSION_COOKIE = "gh_session";
export const ACCESS_TOKEN_PREFIX = "ghpat_";
const TOUCH_EVERY_MS = 60_000;

export interface Credentials {
  bearer?: string;
  sessionCookie?: string;
  csrfHeader?: string;
  /** Unsafe methods need the CSRF token when the credential is a cookie. */
  unsafeMethod: boolean;
}

// Every bearer is compared with the root token: in constant time over equal lengths (a length
// mismatch reveals only that the lengths differ), without hashing either side per request.
function isRootToken(token: string, root: string): boolean {
  if (token.length !== root.length) return false;
  const a = Buffer.from(token);
  const b = Buffer.from(root);
  return a.length === b.length && timingSafeEqual(a, b);
}

const unauthorized = (msg = "Authentication required") => new GatehouseError("unauthorized", msg);

type UserRow = AppContext["store"]["t"]["users"]["$inferSelect"];

const userActor = (
  u: UserRow,
  caller: Caller,
  authMethod: Actor["authMethod"],
  extra: Partial<Actor> = {},
): Actor => ({
  identity: `user:${u.username}`,
  kind: "user",
  subjectId: u.id,
  displayName: u.displayName,
  role: u.role as UserRole,
  policies: effectivePolicies(u.role, u.policies),
  ip: caller.ip,
  requestId: caller.requestId,
  authMethod,
  ...extra,
});

/** True when the caller's resolved client IP is inside the AppRole's allowlist (an empty list allows all). */
export function ipAllowed(allowlist: string[], ip: string): boolean {
  if (allowlist.length === 0) return true;
  try {
    return anyCidrContains(parseCidrList(allowlist), ip);
  } catch {
    return false;
  }
}

/** Resolves credentials to an Actor, or null when none were presented. Bad credentials never fall through. */
export async function resolveActor(
  ctx: AppContext,
  creds: Credentials,
  caller: Caller,
): Promise<Actor | null> {
  const { sessions, accessTokens } = ctx.store.t;
  const q = authQueries(ctx.store);
  const now = ctx.now();

  if (creds.bearer) {
    const token = creds.bearer;
    const root = ctx.config.rootToken;
    if (root && isRootToken(token, root)) {
      return {
        identity: "root",
        kind: "root",
        subjectId: "root",
        displayName: "Root token",
        policies: ["admin"],
        ip: caller.ip,
        requestId: caller.requestId,
        authMethod: "root_token",
      };
    }
    if (token.startsWith(ACCESS_TOKEN_PREFIX)) {
      const [row] = await q.accessToken({ id: sha256Hex(token) });
      if (!row || row.t.revokedAt !== null || (row.t.expiresAt !== null && row.t.expiresAt <= now)) {
        throw unauthorized("Access token is invalid, expired or revoked");
      }
      if (!row.u.enabled) throw unauthorized("This user is disabled");
      if (row.t.lastUsedAt === null || now - row.t.lastUsedAt > TOUCH_EVERY_MS) {
        await ctx.store.tx((tx) =>
          tx.update(accessTokens).set({ lastUsedAt: now }).where(eq(accessTokens.id, row.t.id)),
        );
      }
      return userActor(row.u, caller, "access_token", { expiresAt: row.t.expiresAt ?? undefined });
    }
    const claims = await ctx.jwt.verify(token);
    if (claims.typ === "totp_pending")
      throw unauthorized("Sign-in is not complete: the TOTP step is missing");
    if (claims.typ === "user") {
      const [u] = await q.userById({ id: claims.uid });
      if (!u || u.tokenVersion !== claims.ver) throw unauthorized("Token has been revoked");
      if (!u.enabled) throw unauthorized("This user is disabled");
      return userActor(u, caller, "jwt", { expiresAt: claims.exp * 1000 });
    }
    const [r] = await q.approleById({ id: claims.uid });
    if (!r || r.secretGen !== claims.ver) throw unauthorized("Token has been revoked");
    if (r.suspended) throw new GatehouseError("suspended", "This AppRole is suspended");
    if (!ipAllowed(r.ipAllowlist, caller.ip)) {
      throw new GatehouseError(
        "ip_not_allowed",
        `Requests from ${caller.ip} are not allowed for this AppRole`,
      );
    }
    return {
      identity: `approle:${r.id}`,
      kind: "approle",
      subjectId: r.id,
      displayName: r.displayName,
      policies: r.policies,
      ip: caller.ip,
      requestId: caller.requestId,
      authMethod: "approle",
      expiresAt: claims.exp * 1000,
    };
  }

  if (creds.sessionCookie) {
    const id = sha256Hex(creds.sessionCookie);
    const [row] = await q.session({ id });
    if (!row || row.s.expiresAt <= now) throw unauthorized("Session has expired; sign in again");
    if (!row.u.enabled) throw unauthorized("This user is disabled");
    if (
      creds.unsafeMethod &&
      !(creds.csrfHeader && timingSafeEqualStr(creds.csrfHeader, csrfFor(ctx.keys.jwtKey, id)))
    ) {
      throw new GatehouseError("csrf_failed", "Missing or wrong X-CSRF-Token header");
    }
    if (now - row.s.lastSeenAt > TOUCH_EVERY_MS) {
      await ctx.store.tx((tx) => tx.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id)));
    }
    return userActor(row.u, caller, "session", { sessionId: id, expiresAt: row.s.expiresAt });
  }
  return null;
}
