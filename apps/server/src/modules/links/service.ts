import { randomUUID } from "node:crypto";
import { GatehouseError } from "@gatehouse/core";
import { randomToken, sha256Hex } from "@gatehouse/core/crypto";
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { Actor, Caller } from "../../auth/actor";
import { requireGlobalAdmin } from "../../auth/guards";
import { limited } from "../../auth/rate-limit";
import { ipAllowed } from "../../auth/resolve";
import type { AppContext } from "../../context";
import type { Db } from "../../db/store";
import {
  type AppRoleRow,
  approleIdentity,
  findAppRole,
  issueAppRoleToken,
  newSecretId,
  replaceSecret,
} from "../approles/service";
import { onboardMarkdown, rotateMarkdown } from "./markdown";
import type { CreateLink, LinkKind, LinkStatus, LinkView, ListLinksQuery } from "./model";

type LinkRow = AppContext["store"]["t"]["links"]["$inferSelect"];

export const DEFAULT_LINK_TTL_S = 900;
/** Every exchange attempt counts, successful or not, per client IP. */
export const LINK_EXCHANGE_LIMIT = { limit: 10, windowMs: 60_000, countSuccess: true };
const LIST_MAX = 100;

const iso = (ms: number) => new Date(ms).toISOString();

export function linkStatus(link: LinkRow, now: number): LinkStatus {
  if (link.consumedAt !== null) return "consumed";
  if (link.revokedAt !== null) return "revoked";
  return link.expiresAt <= now ? "expired" : "active";
}

const goneMessage: Record<Exclude<LinkStatus, "active">, string> = {
  consumed: "This link was already used",
  revoked: "This link was revoked",
  expired: "This link has expired",
};

export async function createLink(
  ctx: AppContext,
  actor: Actor,
  kind: LinkKind,
  input: CreateLink,
  baseUrl: string,
) {
  requireGlobalAdmin(ctx, actor);
  const token = randomToken(32);
  const ttl = input.ttl_seconds ?? DEFAULT_LINK_TTL_S;
  const label = input.label?.trim() || null;
  const now = ctx.now();
  const id = `${kind}-${randomUUID()}`;
  const { links } = ctx.store.t;
  const role = await ctx.store.tx(async (tx) => {
    const r = await findAppRole(ctx, input.role_id, tx);
    await tx.insert(links).values({
      id,
      kind,
      tokenHash: sha256Hex(token),
      roleId: r.id,
      label,
      createdBy: actor.identity,
      createdAt: now,
      expiresAt: now + ttl * 1000,
      consumedAt: null,
      revokedAt: null,
    });
    await ctx.audit.append(
      {
        identity: actor.identity,
        action: `${kind}.create`,
        path: approleIdentity(r.id),
        sourceIp: actor.ip,
        requestId: actor.requestId,
        success: true,
        metadata: { link_id: id, ttl_seconds: ttl, label },
      },
      tx,
    );
    return r;
  });
  return {
    id,
    url: `${baseUrl}/v1/${kind}/${token}`,
    token,
    expires_at: iso(now + ttl * 1000),
    role_display_name: role.displayName,
    policies: role.policies,
  };
}

export async function listOnboardLinks(ctx: AppContext, actor: Actor, query: ListLinksQuery) {
  requireGlobalAdmin(ctx, actor);
  const { links, approles } = ctx.store.t;
  const where = [eq(links.kind, "onboard")];
  if (query.role_id) where.push(eq(links.roleId, query.role_id.trim()));
  if (!query.include_consumed) where.push(isNull(links.consumedAt), isNull(links.revokedAt));
  const rows = await ctx.store.db
    .select({ l: links, name: approles.displayName })
    .from(links)
    .innerJoin(approles, eq(approles.id, links.roleId))
    .where(and(...where))
    .orderBy(desc(links.createdAt), desc(links.id))
    .limit(LIST_MAX);
  const now = ctx.now();
  return rows.map(
    ({ l, name }): LinkView => ({
      id: l.id,
      role_id: l.roleId,
      role_display_name: name,
      label: l.label,
      status: linkStatus(l, now),
      created_by: l.createdBy,
      created_at: iso(l.createdAt),
      expires_at: iso(l.expiresAt),
      consumed_at: l.consumedAt === null ? null : iso(l.consumedAt),
    }),
  );
}

export async function revokeOnboardLink(ctx: AppContext, actor: Actor, id: string) {
  requireGlobalAdmin(ctx, actor);
  const { links } = ctx.store.t;
  await ctx.store.tx(async (tx) => {
    const [link] = await tx
      .select()
      .from(links)
      .where(and(eq(links.id, id), eq(links.kind, "onboard")));
    if (!link) throw new GatehouseError("not_found", `No onboarding link "${id}"`);
    if (link.consumedAt !== null || link.revokedAt !== null) {
      throw new GatehouseError("gone", goneMessage[link.consumedAt !== null ? "consumed" : "revoked"]);
    }
    await tx.update(links).set({ revokedAt: ctx.now() }).where(eq(links.id, id));
    await ctx.audit.append(
      {
        identity: actor.identity,
        action: "onboard.revoke",
        path: approleIdentity(link.roleId),
        sourceIp: actor.ip,
        requestId: actor.requestId,
        success: true,
        metadata: { link_id: id },
      },
      tx,
    );
  });
  return { id, revoked: true };
}

/** The link a token names, if it is still usable: 404 for an unknown token, 410 once spent. */
async function activeLink(ctx: AppContext, kind: LinkKind, token: string, db: Db = ctx.store.db) {
  const { links } = ctx.store.t;
  const [link] = await db
    .select()
    .from(links)
    .where(and(eq(links.tokenHash, sha256Hex(token)), eq(links.kind, kind)));
  if (!link) throw new GatehouseError("not_found", "No such link");
  const status = linkStatus(link, ctx.now());
  if (status !== "active") throw new GatehouseError("gone", goneMessage[status]);
  return link;
}

/** The markdown bootstrap document; readable again and again until the link is exchanged. */
export async function viewLink(
  ctx: AppContext,
  caller: Caller,
  kind: LinkKind,
  token: string,
  baseUrl: string,
): Promise<string> {
  const link = await activeLink(ctx, kind, token);
  const role = await findAppRole(ctx, link.roleId);
  await ctx.audit.append({
    identity: approleIdentity(role.id),
    action: `${kind}.view`,
    path: approleIdentity(role.id),
    sourceIp: caller.ip,
    requestId: caller.requestId,
    success: true,
    metadata: { link_id: link.id },
  });
  const doc = {
    baseUrl,
    token,
    roleId: role.id,
    roleDisplayName: role.displayName,
    policies: role.policies,
    expiresAt: link.expiresAt,
  };
  return kind === "onboard" ? onboardMarkdown(doc) : rotateMarkdown(doc);
}

type Verdict = "ok" | "ip_not_allowed" | "suspended";
// The IP comes first: a caller outside the allowlist must not be able to burn the link.
const verdict = (role: AppRoleRow, ip: string): Verdict =>
  !ipAllowed(role.ipAllowlist, ip) ? "ip_not_allowed" : role.suspended ? "suspended" : "ok";

const refusal = (v: Exclude<Verdict, "ok">, ip: string) =>
  v === "suspended"
    ? new GatehouseError("suspended", "This AppRole is suspended; the link is now used up")
    : new GatehouseError("ip_not_allowed", `Requests from ${ip} are not allowed for this AppRole`);

/**
 * Single use: consumes the link, rotates the secret_id (old tokens die) and returns the new
 * credentials. A caller outside the allowlist leaves the link intact; a suspended role consumes it.
 */
async function exchange(ctx: AppContext, caller: Caller, kind: LinkKind, token: string) {
  const { links, approles } = ctx.store.t;
  const failure = (roleId: string | null, reason: string, tx?: Db) =>
    ctx.audit.append(
      {
        identity: roleId ? approleIdentity(roleId) : "anonymous",
        action: `${kind}.exchange.failure`,
        path: roleId ? approleIdentity(roleId) : null,
        sourceIp: caller.ip,
        requestId: caller.requestId,
        success: false,
        outcome: "denied",
        metadata: { reason },
      },
      tx,
    );

  return limited(ctx.limiter, [`${kind}:exchange:ip:${caller.ip}`], LINK_EXCHANGE_LIMIT, async () => {
    let link: LinkRow;
    try {
      link = await activeLink(ctx, kind, token);
    } catch (e) {
      await failure(null, e instanceof GatehouseError ? e.code : "error");
      throw e;
    }
    const pre = verdict(await findAppRole(ctx, link.roleId), caller.ip);
    // Argon2 must not run inside the transaction; skip it when the link will be kept anyway.
    const secretId = newSecretId();
    const hash = pre === "ip_not_allowed" ? "" : await ctx.passwords.hash(secretId);
    const now = ctx.now();
    const outcome = await ctx.store.tx(async (tx) => {
      const role = await findAppRole(ctx, link.roleId, tx);
      const v = verdict(role, caller.ip);
      if (v === "ip_not_allowed" || !hash) return { v: "ip_not_allowed" as const, role };
      const [won] = await tx
        .update(links)
        .set({ consumedAt: now })
        .where(
          and(
            eq(links.id, link.id),
            isNull(links.consumedAt),
            isNull(links.revokedAt),
            gt(links.expiresAt, now),
          ),
        )
        .returning({ id: links.id });
      if (!won) return { v: "gone" as const, role };
      if (v === "suspended") {
        await failure(role.id, "suspended", tx);
        return { v: "suspended" as const, role };
      }
      const rotated = await replaceSecret(ctx, tx, role.id, hash);
      if (kind === "onboard")
        await tx.update(approles).set({ lastUsedAt: now }).where(eq(approles.id, role.id));
      const base = { identity: approleIdentity(role.id), path: approleIdentity(role.id) };
      const at = { sourceIp: caller.ip, requestId: caller.requestId, success: true };
      await ctx.audit.append(
        { ...base, ...at, action: "approle.rotate_secret", metadata: { via: kind, link_id: link.id } },
        tx,
      );
      await ctx.audit.append(
        { ...base, ...at, action: `${kind}.exchange`, metadata: { link_id: link.id } },
        tx,
      );
      return { v: "ok" as const, role: rotated };
    });
    if (outcome.v === "ip_not_allowed") {
      await failure(outcome.role.id, "ip_not_allowed");
      throw refusal("ip_not_allowed", caller.ip);
    }
    if (outcome.v === "gone") {
      await failure(outcome.role.id, "gone");
      throw new GatehouseError("gone", "This link was already used");
    }
    if (outcome.v === "suspended") throw refusal("suspended", caller.ip);
    return { role: outcome.role, secretId };
  });
}

export async function exchangeOnboardLink(ctx: AppContext, caller: Caller, token: string, baseUrl: string) {
  const { role, secretId } = await exchange(ctx, caller, "onboard", token);
  return {
    ...(await issueAppRoleToken(ctx, role)),
    role_id: role.id,
    secret_id: secretId,
    base_url: baseUrl,
    mcp_url: `${baseUrl}/v1/mcp`,
    role_display_name: role.displayName,
  };
}

export async function exchangeRotateLink(ctx: AppContext, caller: Caller, token: string, baseUrl: string) {
  const { role, secretId } = await exchange(ctx, caller, "rotate", token);
  return { role_id: role.id, secret_id: secretId, base_url: baseUrl, role_display_name: role.displayName };
}
