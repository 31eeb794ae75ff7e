import { invalid } from "@gatehouse/core";
import { and, asc, count, desc, eq, gt, gte, lt, lte, max, type SQL, sql } from "drizzle-orm";
import { purgeBeforeIn, verifyChain } from "../../audit/writer";
import type { Actor } from "../../auth/actor";
import { requireGlobalAdmin } from "../../auth/guards";
import type { AppContext } from "../../context";
import { getMeta, setMeta } from "../../keys";
import type { Entry, Filter, ListQuery, PurgeInput } from "./model";

const RETENTION_KEY = "audit_retention_days";
const DAY_MS = 86_400_000;

type Row = AppContext["store"]["t"]["auditLog"]["$inferSelect"];

/** Who an audit action is recorded under: a request's actor, or a background job. */
export interface AuditBy {
  identity: string;
  sourceIp?: string;
  requestId?: string;
}
export const auditBy = (actor: Actor): AuditBy => ({
  identity: actor.identity,
  sourceIp: actor.ip,
  requestId: actor.requestId,
});

// ISO-8601 date or date-time; no zone means UTC (Gatehouse stored UTC without one).
const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

export function parseTime(field: string, value: string): number {
  const m = ISO_RE.exec(value.trim());
  if (!m) throw invalid(field, "must be an ISO-8601 time such as 2025-01-31T12:00:00Z");
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", zone = "Z"] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  // Date.UTC rolls 2025-02-30 over to March: refuse dates that do not exist.
  if (
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCHours() !== Number(h) ||
    check.getUTCMinutes() !== Number(mi) ||
    check.getUTCSeconds() !== Number(s)
  ) {
    throw invalid(field, "is not a valid date and time");
  }
  const millis = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  let offset = 0;
  if (zone.toUpperCase() !== "Z") {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    const sign = z?.[1] === "-" ? -1 : 1;
    const hours = Number(z?.[2]);
    const minutes = Number(z?.[3]);
    if (hours > 23 || minutes > 59) throw invalid(field, "has an invalid time-zone offset");
    offset = sign * (hours * 60 + minutes) * 60_000;
  }
  return ms + millis - offset;
}

export const toEntry = (r: Row): Entry => {
  let metadata: Record<string, unknown> | null = null;
  if (r.metadata) {
    try {
      metadata = JSON.parse(r.metadata) as Record<string, unknown>;
    } catch {
      metadata = null;
    }
  }
  return {
    id: r.seq,
    timestamp: new Date(r.ts).toISOString(),
    identity: r.identity,
    action: r.action,
    path: r.path,
    lease_id: r.leaseId,
    source_ip: r.sourceIp,
    metadata,
    success: r.success,
    outcome: r.outcome,
    request_id: r.requestId,
  };
};

/** Only global admins read everyone's entries; anyone else is held to their own identity. */
export function scopeFilter(ctx: AppContext, actor: Actor, filter: Filter): Filter {
  return ctx.policies.isGlobalAdmin(actor) ? filter : { ...filter, identity: actor.identity };
}

/**
 * The first seq from `from` on whose entry satisfies `past` (a time test that, once true, stays true
 * along the chain), or `end` when none does. The writer never dates an entry before the one it
 * follows, so this binary search over the primary key finds a time bound in about 2·log2(n) lookups,
 * where a filter on ts alone scanned the whole log.
 */
async function firstSeq(ctx: AppContext, from: number, end: number, past: (ts: number) => boolean) {
  const { auditLog } = ctx.store.t;
  let lo = from;
  let hi = end;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    // The first entry at or after mid: purges and tampering leave gaps in seq.
    const [row] = await ctx.store.db
      .select({ ts: auditLog.ts })
      .from(auditLog)
      .where(gte(auditLog.seq, mid))
      .orderBy(asc(auditLog.seq))
      .limit(1);
    if (!row || past(row.ts)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Time bounds as seq bounds, so every filter walks an index in seq order. */
async function seqBounds(ctx: AppContext, since?: number, until?: number): Promise<SQL[]> {
  if (since === undefined && until === undefined) return [];
  const { auditLog } = ctx.store.t;
  const [span] = await ctx.store.db
    .select({ lo: sql<number | null>`min(${auditLog.seq})`, hi: max(auditLog.seq) })
    .from(auditLog);
  if (span?.lo == null || span.hi == null) return [];
  const end = Number(span.hi) + 1;
  const out: SQL[] = [];
  if (since !== undefined)
    out.push(gte(auditLog.seq, await firstSeq(ctx, Number(span.lo), end, (ts) => ts >= since)));
  if (until !== undefined)
    out.push(lt(auditLog.seq, await firstSeq(ctx, Number(span.lo), end, (ts) => ts > until)));
  return out;
}

export async function whereOf(ctx: AppContext, f: Filter): Promise<SQL[]> {
  const { auditLog } = ctx.store.t;
  const where: SQL[] = [];
  if (f.identity) where.push(eq(auditLog.identity, f.identity.trim()));
  if (f.action) where.push(eq(auditLog.action, f.action.trim()));
  // substr, not LIKE: no wildcards to escape, and case-sensitive on both engines.
  if (f.path) where.push(sql`substr(${auditLog.path}, 1, length(cast(${f.path} as text))) = ${f.path}`);
  const since = f.since ? parseTime("since", f.since) : undefined;
  const until = f.until ? parseTime("until", f.until) : undefined;
  // The ts tests stay: entries written before dates were kept in order may be slightly out of it.
  if (since !== undefined) where.push(gte(auditLog.ts, since));
  if (until !== undefined) where.push(lte(auditLog.ts, until));
  if (f.outcome) where.push(eq(auditLog.outcome, f.outcome));
  if (f.success !== undefined) where.push(eq(auditLog.success, f.success === "true"));
  where.push(...(await seqBounds(ctx, since, until)));
  return where;
}

export async function listAudit(ctx: AppContext, actor: Actor, query: ListQuery) {
  const { auditLog } = ctx.store.t;
  const { limit: limitText, before_seq, ...filter } = query;
  const limit = limitText === undefined ? 100 : Number(limitText);
  if (limit < 1 || limit > 10000) throw invalid("limit", "must be between 1 and 10000");
  const where = await whereOf(ctx, scopeFilter(ctx, actor, filter));
  if (before_seq !== undefined) {
    if (Number(before_seq) < 1) throw invalid("before_seq", "must be a positive entry id");
    where.push(lt(auditLog.seq, Number(before_seq)));
  }
  const rows = await ctx.store.db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.seq))
    .limit(limit);
  const last = rows[rows.length - 1];
  return { entries: rows.map(toEntry), next_before_seq: rows.length === limit && last ? last.seq : null };
}

/**
 * How many entries match (the caller's own unless global admin), and the newest of them, so a
 * live tail can add only what came after: the dashboard's 24 h figure.
 */
export async function countAudit(
  ctx: AppContext,
  actor: Actor,
  filter: Filter,
): Promise<{ count: number; through_id: number | null }> {
  const { auditLog } = ctx.store.t;
  const [row] = await ctx.store.db
    .select({ n: count(), last: max(auditLog.seq) })
    .from(auditLog)
    .where(and(...(await whereOf(ctx, scopeFilter(ctx, actor, filter)))));
  const last = row?.last;
  return {
    count: Number(row?.n ?? 0),
    through_id: last === null || last === undefined ? null : Number(last),
  };
}

/** Entries matching `where`, oldest first, in pages (export streams them). */
export async function auditPage(
  ctx: AppContext,
  where: SQL[],
  afterSeq: number,
  limit: number,
): Promise<Row[]> {
  const { auditLog } = ctx.store.t;
  return ctx.store.db
    .select()
    .from(auditLog)
    .where(and(...where, gt(auditLog.seq, afterSeq)))
    .orderBy(asc(auditLog.seq))
    .limit(limit);
}

export async function getRetention(ctx: AppContext): Promise<number> {
  const raw = await getMeta(ctx.store, ctx.store.db, RETENTION_KEY);
  const days = Number(raw ?? "0");
  return Number.isSafeInteger(days) && days >= 0 ? days : 0;
}

export async function readRetention(ctx: AppContext, actor: Actor) {
  requireGlobalAdmin(ctx, actor);
  return { retention_days: await getRetention(ctx) };
}

export async function setRetention(ctx: AppContext, actor: Actor, days: number) {
  requireGlobalAdmin(ctx, actor);
  await ctx.store.tx(async (tx) => {
    const previous = Number((await getMeta(ctx.store, tx, RETENTION_KEY)) ?? "0");
    await setMeta(ctx.store, tx, RETENTION_KEY, String(days));
    await ctx.audit.append(
      {
        ...auditBy(actor),
        action: "audit.retention.update",
        success: true,
        metadata: { retention_days: days, previous_retention_days: previous },
      },
      tx,
    );
  });
  return { retention_days: days };
}

/**
 * Deletes entries older than `before` (or than the retention period) behind a signed checkpoint;
 * the purge and its own `audit.purge` entry commit together.
 */
export async function purgeAudit(
  ctx: AppContext,
  by: AuditBy,
  input: PurgeInput & { reason?: string; auditWhenEmpty?: boolean },
) {
  const now = ctx.now();
  let cutoff: number | null;
  if (input.before !== undefined) {
    cutoff = parseTime("before", input.before);
    if (cutoff > now) throw invalid("before", "must not be in the future");
  } else {
    const days = await getRetention(ctx);
    cutoff = days === 0 ? null : now - days * DAY_MS;
  }
  if (cutoff === null) return { purged: 0, checkpoint_seq: null, skipped: true };
  const before = cutoff;
  const result = await ctx.store.tx(async (tx) => {
    const r = await purgeBeforeIn(ctx.store, tx, ctx.keys.auditKey, before, now);
    if (r.purged === 0 && input.auditWhenEmpty === false) return r;
    await ctx.audit.append(
      {
        ...by,
        action: "audit.purge",
        success: true,
        metadata: {
          before: new Date(before).toISOString(),
          purged: r.purged,
          checkpoint_seq: r.throughSeq,
          reason: input.reason ?? (input.before ? "explicit" : "retention"),
        },
      },
      tx,
    );
    return r;
  });
  return { purged: result.purged, checkpoint_seq: result.throughSeq, skipped: false };
}

export async function purgeAsAdmin(ctx: AppContext, actor: Actor, input: PurgeInput) {
  requireGlobalAdmin(ctx, actor);
  const r = await purgeAudit(ctx, auditBy(actor), input);
  if (r.skipped) {
    await ctx.audit.append({
      ...auditBy(actor),
      action: "audit.purge",
      success: true,
      metadata: { purged: 0, reason: "retention is 0 (keep forever)" },
    });
  }
  return { purged: r.purged, checkpoint_seq: r.checkpoint_seq };
}

export async function verifyAudit(ctx: AppContext, actor: Actor) {
  requireGlobalAdmin(ctx, actor);
  const result = await verifyChain(ctx.store, ctx.keys.auditKey);
  await ctx.audit.append({
    ...auditBy(actor),
    action: "audit.verify",
    success: true,
    metadata: {
      ok: result.ok,
      checked: result.checked,
      head_seq: result.head_seq,
      ...(result.first_broken ? { first_broken_seq: result.first_broken.seq } : {}),
    },
  });
  return result;
}
