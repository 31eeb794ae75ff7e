import { randomUUID } from "node:crypto";
import { GatehouseError } from "@gatehouse/core";
import { validateSecretPath } from "@gatehouse/core/paths";
import { and, desc, eq, gt, isNull, type SQL } from "drizzle-orm";
import type { Actor } from "../../auth/actor";
import type { AppContext } from "../../context";
import type { Db } from "../../db/store";
import type { RequestRow } from "../approvals/service";
import { auditBy, authorizeSecret } from "../secrets/access";
import { findLive, iso, openFor } from "../secrets/rows";
import { type LeaseBody, type LeaseListItem, type LeaseView, MAX_TTL_S, MIN_TTL_S } from "./model";
import { applyMaxTtl } from "./ttl";

export type LeaseRow = AppContext["store"]["t"]["leases"]["$inferSelect"];

export const leaseView = (l: LeaseRow): LeaseView => ({
  id: l.id,
  secret_path: l.path,
  identity: l.identity,
  ttl_seconds: l.ttlSeconds,
  created_at: iso(l.createdAt),
  expires_at: iso(l.expiresAt),
  revoked: l.revokedAt !== null,
});

const listItem = (l: LeaseRow, now: number): LeaseListItem => ({
  id: l.id,
  kind: "static",
  path: l.path,
  identity: l.identity,
  ttl_seconds: l.ttlSeconds,
  created_at: iso(l.createdAt),
  expires_at: iso(l.expiresAt),
  expires_in: Math.max(0, Math.ceil((l.expiresAt - now) / 1000)),
  revoked: l.revokedAt !== null,
  revoked_at: l.revokedAt === null ? null : iso(l.revokedAt),
  revoke_reason: l.revokeReason,
});

function checkTtlRange(ttl: number | undefined): void {
  if (ttl !== undefined && (ttl < MIN_TTL_S || ttl > MAX_TTL_S)) {
    throw new GatehouseError(
      "ttl_out_of_range",
      `ttl: must be between ${MIN_TTL_S} and ${MAX_TTL_S} seconds`,
      {
        field: "ttl",
      },
    );
  }
}

/**
 * MCP clamps where REST refuses (PRODUCT §4): a TTL brought into 10–86400 s and under the policy's
 * max_ttl for `capability` on `path`, so the service's own range checks then pass. Undefined stays
 * undefined (the service's default applies, itself clamped to max_ttl).
 */
export function clampTtl(
  ctx: AppContext,
  actor: Actor,
  capability: "lease",
  path: string,
  ttl: number | undefined,
): number | undefined {
  if (ttl === undefined || !Number.isFinite(ttl)) return undefined;
  const maxTtl = ctx.policies.authorize(actor, capability, path).maxTtl;
  const upper = Math.min(MAX_TTL_S, maxTtl ?? MAX_TTL_S);
  return Math.max(MIN_TTL_S, Math.min(Math.trunc(ttl), upper));
}

const owns = (actor: Actor, l: LeaseRow) => l.subjectId === actor.subjectId && l.identity === actor.identity;
const leaseNotFound = (id: string) => new GatehouseError("not_found", `No lease "${id}"`);
const conflict = (message: string) => new GatehouseError("conflict", message);

/** The lease if the caller owns it or is a global admin; anyone else's lease does not exist for them. */
async function findLease(ctx: AppContext, actor: Actor, id: string): Promise<LeaseRow> {
  const { leases } = ctx.store.t;
  const [row] = await ctx.store.db.select().from(leases).where(eq(leases.id, id)).limit(1);
  if (!row || !(owns(actor, row) || ctx.policies.isGlobalAdmin(actor))) throw leaseNotFound(id);
  return row;
}

async function auditLease(
  ctx: AppContext,
  tx: Db,
  actor: Actor,
  action: string,
  l: LeaseRow,
  metadata: Record<string, unknown>,
) {
  await ctx.audit.append(
    { ...auditBy(actor), action, path: l.path, leaseId: l.id, success: true, metadata },
    tx,
  );
}

/** A static lease: the value plus a record of who holds it until when. */
export async function checkoutLease(ctx: AppContext, actor: Actor, rawPath: string, input: LeaseBody) {
  const path = validateSecretPath(rawPath);
  checkTtlRange(input.ttl);
  // Checked before asking for approval, so a request never waits only to fail on its TTL.
  const preview = ctx.policies.authorize(actor, "lease", path);
  if (preview.allowed) applyMaxTtl(input.ttl, preview.maxTtl);
  const decision = await authorizeSecret(ctx, actor, "lease", path, "lease.checkout", undefined, {
    kind: "lease",
    reason: input.reason,
    requestedTtl: input.ttl,
  });
  const ttl = applyMaxTtl(input.ttl, decision.maxTtl);
  const secret = await findLive(ctx, path);
  const value = await openFor(ctx, actor, "lease.checkout", path, secret.version, secret.value);
  const now = ctx.now();
  const lease: LeaseRow = {
    id: `lease-${randomUUID()}`,
    kind: "static",
    path,
    identity: actor.identity,
    subjectId: actor.subjectId,
    ttlSeconds: ttl,
    createdAt: now,
    expiresAt: now + ttl * 1000,
    revokedAt: null,
    revokeReason: null,
    sourceIp: actor.ip,
  };
  await ctx.store.tx(async (tx) => {
    await tx.insert(ctx.store.t.leases).values(lease);
    await auditLease(ctx, tx, actor, "lease.checkout", lease, { ttl_seconds: ttl, version: secret.version });
  });
  return { lease: leaseView(lease), value };
}

export async function renewLease(ctx: AppContext, actor: Actor, id: string, input: LeaseBody) {
  // `<path>/renew` is never a secret path; this names the reserved word instead of a missing lease.
  if (id.startsWith("dlease-")) return ctx.dynamic.renew(actor, id, input.ttl);
  if (!id.startsWith("lease-")) validateSecretPath(`${id}/renew`);
  const lease = await findLease(ctx, actor, id);
  checkTtlRange(input.ttl);
  const now = ctx.now();
  if (lease.revokedAt !== null) throw conflict(`Lease "${id}" was revoked`);
  if (lease.expiresAt <= now) throw conflict(`Lease "${id}" has expired`);
  const decision = await authorizeSecret(ctx, actor, "lease", lease.path, "lease.renew");
  const ttl = applyMaxTtl(input.ttl, decision.maxTtl, lease.ttlSeconds);
  const { leases } = ctx.store.t;
  const renewed: LeaseRow = { ...lease, ttlSeconds: ttl, expiresAt: now + ttl * 1000 };
  await ctx.store.tx(async (tx) => {
    const done = await tx
      .update(leases)
      .set({ ttlSeconds: ttl, expiresAt: renewed.expiresAt })
      .where(and(eq(leases.id, id), isNull(leases.revokedAt), gt(leases.expiresAt, now)))
      .returning({ id: leases.id });
    if (done.length !== 1) throw conflict(`Lease "${id}" was revoked or expired meanwhile`);
    await auditLease(ctx, tx, actor, "lease.renew", renewed, { ttl_seconds: ttl });
  });
  return { lease: leaseView(renewed) };
}

/** Global admins see every lease, others their own; active ones unless `includeExpired`. */
export async function listLeases(ctx: AppContext, actor: Actor, includeExpired: boolean, limit = 1000) {
  const { leases } = ctx.store.t;
  const now = ctx.now();
  const where: SQL[] = [];
  if (!ctx.policies.isGlobalAdmin(actor)) {
    where.push(eq(leases.subjectId, actor.subjectId), eq(leases.identity, actor.identity));
  }
  if (!includeExpired) where.push(isNull(leases.revokedAt), gt(leases.expiresAt, now));
  const rows = await ctx.store.db
    .select()
    .from(leases)
    .where(and(...where))
    .orderBy(desc(leases.createdAt), desc(leases.id))
    .limit(limit);
  // Dynamic leases share the list (as in Gatehouse), newest first across both kinds.
  const dynamic = await ctx.dynamic.listForLeases(actor, includeExpired, limit);
  const merged: (LeaseListItem & { at: number })[] = [
    ...rows.map((l) => ({ ...listItem(l, now), at: l.createdAt })),
    ...dynamic.map(({ createdAt, ...d }) => ({ ...d, at: createdAt })),
  ];
  merged.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
  return { leases: merged.slice(0, limit).map(({ at: _at, ...item }) => item) };
}

export async function revokeLease(ctx: AppContext, actor: Actor, id: string) {
  if (id.startsWith("dlease-")) return ctx.dynamic.revoke(actor, id);
  const lease = await findLease(ctx, actor, id);
  if (lease.revokedAt !== null) throw conflict(`Lease "${id}" is already revoked`);
  const { leases } = ctx.store.t;
  await ctx.store.tx(async (tx) => {
    const now = ctx.now();
    const done = await tx
      .update(leases)
      .set({ revokedAt: now, revokeReason: "revoked" })
      .where(and(eq(leases.id, id), isNull(leases.revokedAt)))
      .returning({ id: leases.id });
    if (done.length !== 1) throw conflict(`Lease "${id}" is already revoked`);
    await auditLease(ctx, tx, actor, "lease.revoke", lease, { reason: "revoked" });
  });
  return { revoked: true as const, id };
}

/** An approved lease request: the lease is created at approval, so its TTL starts then. */
export async function fulfilLeaseRequest(ctx: AppContext, tx: Db, req: RequestRow, ttl: number) {
  const now = ctx.now();
  const lease: LeaseRow = {
    id: `lease-${randomUUID()}`,
    kind: "static",
    path: req.path,
    identity: req.identity,
    subjectId: req.subjectId,
    ttlSeconds: ttl,
    createdAt: now,
    expiresAt: now + ttl * 1000,
    revokedAt: null,
    revokeReason: null,
    sourceIp: req.sourceIp,
  };
  await tx.insert(ctx.store.t.leases).values(lease);
  await ctx.audit.append(
    {
      identity: req.identity,
      action: "lease.checkout",
      path: req.path,
      leaseId: lease.id,
      sourceIp: req.sourceIp,
      success: true,
      metadata: { ttl_seconds: ttl, approval_request: req.id },
    },
    tx,
  );
  return { leaseId: lease.id, expiresAt: lease.expiresAt };
}

/** The requester collects the value of an approved lease, again if a poll was dropped, until it expires. */
export async function collectLease(ctx: AppContext, req: RequestRow, actor: Actor) {
  const { leases } = ctx.store.t;
  const [lease] = await ctx.store.db
    .select()
    .from(leases)
    .where(eq(leases.id, req.leaseId ?? ""));
  if (!lease || lease.revokedAt !== null || lease.expiresAt <= ctx.now()) return {};
  const secret = await findLive(ctx, lease.path);
  const value = await openFor(ctx, actor, "lease.collect", lease.path, secret.version, secret.value);
  await ctx.audit.append({
    ...auditBy(actor),
    action: "lease.collect",
    path: lease.path,
    leaseId: lease.id,
    success: true,
    metadata: { approval_request: req.id, version: secret.version },
  });
  return { lease: leaseView(lease), value };
}
