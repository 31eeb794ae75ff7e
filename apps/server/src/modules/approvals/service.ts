import { randomUUID } from "node:crypto";
import { GatehouseError } from "@gatehouse/core";
import type { Capability, Decision } from "@gatehouse/core/policy";
import { and, desc, eq, gt, inArray, lte } from "drizzle-orm";
import type { Actor } from "../../auth/actor";
import { consumeSecondFactor } from "../../auth/totp";
import type { AppContext } from "../../context";
import type { Db } from "../../db/store";
import { ApprovalPending } from "./errors";

export const PENDING_TTL_MS = 15 * 60 * 1000;
export const MAX_WAIT_S = 60;
const DEFAULT_TTL_S = 300;

export type RequestKind = "read" | "lease" | "dynamic" | "proxy" | "call";
export type RequestRow = AppContext["store"]["t"]["approvalRequests"]["$inferSelect"];

/** What a call site hands over when its decision says a human must approve. */
export interface ApprovalAsk {
  kind: RequestKind;
  capability: Capability;
  path: string;
  reason?: string;
  requestedTtl?: number;
  details?: Record<string, unknown>;
}

/** Hands an approved lease-like request's credential to its requester (collect again until it expires). */
export type Collector = (req: RequestRow, actor: Actor) => Promise<Record<string, unknown>>;

/** Called at approval for lease-like requests: creates the lease (its TTL starts now) and returns its id and expiry. */
export type Fulfiller = (
  tx: Db,
  req: RequestRow,
  ttlSeconds: number,
) => Promise<{ leaseId: string; expiresAt: number }>;

export const publicRequest = (r: RequestRow, now: number) => ({
  request_id: r.id,
  kind: r.kind,
  capability: r.capability,
  path: r.path,
  identity: r.identity,
  display_name: r.displayName,
  reason: r.reason,
  details: r.details,
  source_ip: r.sourceIp,
  requested_ttl: r.requestedTtl,
  max_ttl: r.maxTtl,
  status: r.status === "pending" && r.expiresAt <= now ? "expired" : r.status,
  created_at: new Date(r.createdAt).toISOString(),
  expires_at: new Date(r.expiresAt).toISOString(),
  decided_at: r.decidedAt ? new Date(r.decidedAt).toISOString() : null,
  decided_by: r.decidedBy,
  decision_reason: r.decisionReason,
  approved_ttl: r.approvedTtl,
  break_glass: r.breakGlass,
  lease_id: r.leaseId,
  valid_until: r.validUntil ? new Date(r.validUntil).toISOString() : null,
});

export function createApprovalService(ctx: AppContext) {
  const { approvalRequests: table, grants, users } = ctx.store.t;
  const fulfillers = new Map<RequestKind, Fulfiller>();
  const collectors = new Map<RequestKind, Collector>();
  const waiters = new Map<string, Set<() => void>>();

  const wake = (id: string) => {
    for (const w of waiters.get(id) ?? []) w();
  };
  const publish = (r: RequestRow) => {
    ctx.events.publish({
      type: "approval",
      identity: r.identity,
      approvers: true,
      data: publicRequest(r, ctx.now()),
    });
  };
  // Long polls wake on a decision made by this replica or, through the bridge, by any other.
  ctx.events.subscribe((e) => {
    if (e.type === "approval" && typeof e.data.request_id === "string") wake(e.data.request_id);
  });
  // Graceful shutdown: every long poll answers now with the request as it stands.
  ctx.lifecycle.onShutdown(() => {
    for (const id of [...waiters.keys()]) wake(id);
  });

  async function load(id: string): Promise<RequestRow> {
    const [r] = await ctx.store.db.select().from(table).where(eq(table.id, id));
    if (!r) throw new GatehouseError("not_found", `No approval request "${id}"`);
    return r;
  }

  async function hasGrant(actor: Actor, capability: Capability, path: string): Promise<boolean> {
    const rows = await ctx.store.db
      .select({ id: grants.id })
      .from(grants)
      .where(
        and(
          eq(grants.subjectId, actor.subjectId),
          eq(grants.capability, capability),
          eq(grants.path, path),
          gt(grants.expiresAt, ctx.now()),
        ),
      )
      .limit(1);
    return rows.length > 0;
  }

  /**
   * The gate every value-handing call site passes after `policies.check`: nothing to do unless approval is
   * required; an approval grant lets the call through; otherwise a pending request is created (or the
   * identical one still pending is reused) and ApprovalPending is thrown.
   */
  async function gate(actor: Actor, decision: Decision, ask: ApprovalAsk): Promise<void> {
    if (decision.approval !== "required") return;
    if (ask.kind !== "lease" && ask.kind !== "dynamic" && (await hasGrant(actor, ask.capability, ask.path)))
      return;
    const now = ctx.now();
    const row = await ctx.store.tx(async (tx) => {
      const [same] = await tx
        .select()
        .from(table)
        .where(
          and(
            eq(table.subjectId, actor.subjectId),
            eq(table.capability, ask.capability),
            // Static and dynamic paths are separate namespaces: a pending static lease is not this request.
            eq(table.kind, ask.kind),
            eq(table.path, ask.path),
            eq(table.status, "pending"),
            gt(table.expiresAt, now),
          ),
        )
        .limit(1);
      if (same) return { row: same, created: false };
      const created: RequestRow = {
        id: `apr-${randomUUID()}`,
        kind: ask.kind,
        capability: ask.capability,
        path: ask.path,
        identity: actor.identity,
        subjectId: actor.subjectId,
        displayName: actor.displayName,
        reason: ask.reason?.slice(0, 500) ?? null,
        details: ask.details ?? {},
        sourceIp: actor.ip,
        requestedTtl: ask.requestedTtl ?? null,
        maxTtl: decision.maxTtl ?? null,
        status: "pending",
        createdAt: now,
        expiresAt: now + PENDING_TTL_MS,
        decidedAt: null,
        decidedBy: null,
        decisionReason: null,
        approvedTtl: null,
        breakGlass: false,
        leaseId: null,
        validUntil: null,
      };
      await tx.insert(table).values(created);
      await ctx.audit.append(
        {
          identity: actor.identity,
          action: "approval.request",
          path: ask.path,
          sourceIp: actor.ip,
          requestId: actor.requestId,
          success: true,
          outcome: "pending",
          metadata: { request_id: created.id, kind: ask.kind, capability: ask.capability },
        },
        tx,
      );
      return { row: created, created: true };
    });
    if (row.created) {
      publish(row.row);
      ctx.notifier.approvalRequested(publicRequest(row.row, now));
    }
    throw new ApprovalPending(row.row.id, row.row.expiresAt);
  }

  function canDecide(actor: Actor): boolean {
    return ctx.policies.isGlobalAdmin(actor) || actor.role === "approver" || actor.role === "admin";
  }

  async function soleAdmin(actor: Actor): Promise<boolean> {
    if (actor.kind !== "user") return false;
    const admins = await ctx.store.db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.role, "admin"), eq(users.enabled, true)));
    const approvers = await ctx.store.db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.role, "approver"), eq(users.enabled, true)));
    return admins.length === 1 && admins[0]?.id === actor.subjectId && approvers.length === 0;
  }

  async function approve(
    actor: Actor,
    id: string,
    input: { ttl?: number; breakGlass?: { password: string; code?: string } },
  ) {
    if (!canDecide(actor))
      throw new GatehouseError("forbidden", "Only admins and approvers can approve requests");
    const r = await load(id);
    const now = ctx.now();
    let breakGlass = false;
    if (r.subjectId === actor.subjectId || r.identity === actor.identity) {
      if (!input.breakGlass) throw new GatehouseError("forbidden", "You cannot approve your own request");
      if (!(await soleAdmin(actor)))
        throw new GatehouseError("forbidden", "Break-glass self-approval is only for a sole admin");
      const [u] = await ctx.store.db.select().from(users).where(eq(users.id, actor.subjectId));
      if (!u || !(await ctx.passwords.verify(input.breakGlass.password, u.passwordHash))) {
        throw new GatehouseError("forbidden", "Break-glass needs your password");
      }
      if (u.totpSecret) await consumeSecondFactor(ctx, u, input.breakGlass.code ?? "");
      breakGlass = true;
    }
    const ttl = input.ttl ?? r.requestedTtl ?? r.maxTtl ?? DEFAULT_TTL_S;
    if (ttl < 10 || ttl > 86400)
      throw new GatehouseError("ttl_out_of_range", "ttl must be between 10 and 86400 seconds", {
        field: "ttl",
      });
    if (r.maxTtl !== null && ttl > r.maxTtl) {
      throw new GatehouseError(
        "ttl_out_of_range",
        `ttl ${ttl} is above the rule's max_ttl of ${r.maxTtl} seconds`,
        { field: "ttl" },
      );
    }
    const updated = await ctx.store.tx(async (tx) => {
      const [fresh] = await tx.select().from(table).where(eq(table.id, id));
      if (!fresh) throw new GatehouseError("not_found", `No approval request "${id}"`);
      if (fresh.status !== "pending")
        throw new GatehouseError("conflict", `Request is already ${fresh.status}`);
      if (fresh.expiresAt <= now)
        throw new GatehouseError("gone", "The request expired before it was approved");
      let leaseId: string | null = null;
      let validUntil = now + ttl * 1000;
      const fulfil = fulfillers.get(fresh.kind as RequestKind);
      if (fulfil) {
        const lease = await fulfil(tx, fresh, ttl);
        leaseId = lease.leaseId;
        validUntil = lease.expiresAt;
      } else {
        await tx.insert(grants).values({
          id: `grant-${randomUUID()}`,
          requestId: fresh.id,
          subjectId: fresh.subjectId,
          capability: fresh.capability,
          path: fresh.path,
          createdAt: now,
          expiresAt: validUntil,
        });
      }
      const set = {
        status: "approved",
        decidedAt: now,
        decidedBy: actor.identity,
        approvedTtl: ttl,
        breakGlass,
        leaseId,
        validUntil,
      };
      await tx.update(table).set(set).where(eq(table.id, id));
      await ctx.audit.append(
        {
          identity: actor.identity,
          action: breakGlass ? "approval.break_glass" : "approval.approve",
          path: fresh.path,
          leaseId,
          sourceIp: actor.ip,
          requestId: actor.requestId,
          success: true,
          metadata: { request_id: id, requester: fresh.identity, ttl, break_glass: breakGlass },
        },
        tx,
      );
      return { ...fresh, ...set };
    });
    if (breakGlass) ctx.log.warn("break-glass self-approval", { request_id: id, identity: actor.identity });
    publish(updated);
    return publicRequest(updated, now);
  }

  async function deny(actor: Actor, id: string, reason: string) {
    if (!canDecide(actor))
      throw new GatehouseError("forbidden", "Only admins and approvers can deny requests");
    const now = ctx.now();
    const updated = await ctx.store.tx(async (tx) => {
      const [fresh] = await tx.select().from(table).where(eq(table.id, id));
      if (!fresh) throw new GatehouseError("not_found", `No approval request "${id}"`);
      if (fresh.status !== "pending" || fresh.expiresAt <= now)
        throw new GatehouseError("conflict", "Request is no longer pending");
      const set = { status: "denied", decidedAt: now, decidedBy: actor.identity, decisionReason: reason };
      await tx.update(table).set(set).where(eq(table.id, id));
      await ctx.audit.append(
        {
          identity: actor.identity,
          action: "approval.deny",
          path: fresh.path,
          sourceIp: actor.ip,
          requestId: actor.requestId,
          success: true,
          metadata: { request_id: id, requester: fresh.identity },
        },
        tx,
      );
      return { ...fresh, ...set };
    });
    publish(updated);
    return publicRequest(updated, now);
  }

  const visible = (actor: Actor, r: RequestRow) => r.subjectId === actor.subjectId || canDecide(actor);

  /** The requester (or an approver) reads a request, optionally waiting up to 60 s for a decision. */
  async function get(actor: Actor, id: string, waitSeconds = 0) {
    let r = await load(id);
    if (!visible(actor, r)) throw new GatehouseError("not_found", `No approval request "${id}"`);
    const deadline = ctx.now() + Math.min(Math.max(waitSeconds, 0), MAX_WAIT_S) * 1000;
    while (
      r.status === "pending" &&
      r.expiresAt > ctx.now() &&
      ctx.now() < deadline &&
      !ctx.lifecycle.stopping
    ) {
      await waitFor(id, Math.min(deadline - ctx.now(), 2000));
      r = await load(id);
    }
    return r;
  }

  function waitFor(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = waiters.get(id) ?? new Set();
      waiters.set(id, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, Math.max(ms, 0));
      set.add(done);
    });
  }

  async function list(actor: Actor, status?: string, limit = 100) {
    const now = ctx.now();
    const where = [];
    if (!canDecide(actor)) where.push(eq(table.subjectId, actor.subjectId));
    if (status === "pending") where.push(eq(table.status, "pending"), gt(table.expiresAt, now));
    else if (status === "expired")
      where.push(inArray(table.status, ["pending", "expired"]), lte(table.expiresAt, now));
    else if (status) where.push(eq(table.status, status));
    const rows = await ctx.store.db
      .select()
      .from(table)
      .where(and(...where))
      .orderBy(desc(table.createdAt))
      .limit(limit);
    return rows
      .filter((r) => status !== "expired" || r.status !== "approved")
      .map((r) => publicRequest(r, now));
  }

  /** Marks stale pending requests expired (worker), so lists and live views settle. */
  async function expireStale(): Promise<number> {
    const now = ctx.now();
    const stale = await ctx.store.tx(async (tx) => {
      const rows = await tx
        .select()
        .from(table)
        .where(and(eq(table.status, "pending"), lte(table.expiresAt, now)));
      for (const r of rows) {
        await tx.update(table).set({ status: "expired" }).where(eq(table.id, r.id));
        await ctx.audit.append(
          {
            identity: r.identity,
            action: "approval.expire",
            path: r.path,
            success: false,
            outcome: "expired",
            metadata: { request_id: r.id },
          },
          tx,
        );
      }
      return rows;
    });
    for (const r of stale) publish({ ...r, status: "expired" });
    return stale.length;
  }

  return {
    gate,
    approve,
    deny,
    get,
    list,
    expireStale,
    hasGrant,
    canDecide,
    registerFulfiller: (kind: RequestKind, f: Fulfiller, c: Collector) => {
      fulfillers.set(kind, f);
      collectors.set(kind, c);
    },
    /** For the requester of an approved, still-valid lease-like request: the credential, again if needed. */
    async collect(actor: Actor, r: RequestRow): Promise<Record<string, unknown> | null> {
      const c = collectors.get(r.kind as RequestKind);
      if (
        !c ||
        r.status !== "approved" ||
        r.subjectId !== actor.subjectId ||
        (r.validUntil ?? 0) <= ctx.now()
      )
        return null;
      return c(r, actor);
    },
  };
}

export type ApprovalService = ReturnType<typeof createApprovalService>;
