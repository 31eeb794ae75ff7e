import { randomUUID } from "node:crypto";
import { GatehouseError } from "@gatehouse/core";
import {
  confidence,
  type JsonSchema,
  mergeSchema,
  type Outcome,
  pushOutcome,
  rankPatterns,
  suggest,
  verifiedBy,
} from "@gatehouse/core/patterns";
import { and, asc, count, desc, eq, inArray } from "drizzle-orm";
import type { Actor } from "../../auth/actor";
import type { AppContext } from "../../context";
import type { Db } from "../../db/store";
import { accessOn, auditBy, authorizeAny } from "../secrets/access";
import { checkPath } from "../secrets/rows";

export type PatternRow = AppContext["store"]["t"]["proxyPatterns"]["$inferSelect"];

/** Patterns kept per secret; the least recently used unpinned one makes room for a new one. */
export const MAX_PATTERNS_PER_SECRET = 200;
const MAX_AGENTS = 50;
const MAX_HEADER_NAMES = 32;
const LIST_LIMIT = 1000;

export interface Observation {
  method: string;
  template: string;
  host: string;
  headerNames: string[];
  requestSchema: JsonSchema | null;
  responseSchema: JsonSchema | null;
  status: number | null;
  ok: boolean;
  agent: string;
  /** When the call happened (ms); defaults to the time it is recorded. */
  at?: number;
}

// Patterns are advice, not a record (the audit entry is what each response waits for): observations
// are queued and written in batches at most FLUSH_MS later; beyond MAX_QUEUED they are dropped.
const FLUSH_MS = 100;
const MAX_QUEUED = 10_000;

const iso = (ms: number) => new Date(ms).toISOString();

export function patternView(p: PatternRow, opts: { admin: boolean }) {
  return {
    id: p.id,
    secret_path: p.secretPath,
    method: p.method,
    url_template: p.urlTemplate,
    host: p.host,
    request_headers: p.requestHeaders,
    request_schema: p.requestSchema,
    response_schema: p.responseSchema,
    last_status: p.lastStatus,
    confidence: Math.round(confidence(p.recentOutcomes) * 100) / 100,
    verified_by: verifiedBy(p.recentOutcomes),
    success_count: p.successCount,
    failure_count: p.failureCount,
    pinned: p.pinned,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
    last_used_at: iso(p.lastUsedAt),
    // Who called is for admins of the secret; agents see the counts.
    ...(opts.admin
      ? { recent_outcomes: p.recentOutcomes.map((o) => ({ agent: o.agent, ok: o.ok, at: iso(o.at) })) }
      : {}),
  };
}

export type PatternView = ReturnType<typeof patternView>;

/** What a failed call gets back: the closest patterns that worked, in a compact form. */
export const suggestionView = (p: PatternRow) => ({
  id: p.id,
  secret_path: p.secretPath,
  method: p.method,
  url_template: p.urlTemplate,
  confidence: Math.round(confidence(p.recentOutcomes) * 100) / 100,
  verified_by: verifiedBy(p.recentOutcomes),
  pinned: p.pinned,
  last_status: p.lastStatus,
  request_schema: p.requestSchema,
  response_schema: p.responseSchema,
});

const union = (a: readonly string[], b: readonly string[], max: number) =>
  [...new Set([...a, ...b])].slice(0, max);

export function createPatternStore(ctx: AppContext) {
  const { proxyPatterns: table } = ctx.store.t;

  /** The row for a key, locked for the rest of `tx` on PostgreSQL (replicas update the same rows). */
  async function find(db: Db, path: string, method: string, template: string) {
    const q = db
      .select()
      .from(table)
      .where(and(eq(table.secretPath, path), eq(table.method, method), eq(table.urlTemplate, template)))
      .limit(1);
    const [row] = await (ctx.store.dialect === "pg"
      ? (q as unknown as { for(strength: "update"): typeof q }).for("update")
      : q);
    return row;
  }

  async function makeRoom(tx: Db, path: string) {
    const [{ n } = { n: 0 }] = await tx.select({ n: count() }).from(table).where(eq(table.secretPath, path));
    if (n < MAX_PATTERNS_PER_SECRET) return;
    const victims = await tx
      .select({ id: table.id })
      .from(table)
      .where(and(eq(table.secretPath, path), eq(table.pinned, false)))
      .orderBy(asc(table.lastUsedAt))
      .limit(n - MAX_PATTERNS_PER_SECRET + 1);
    if (victims.length)
      await tx.delete(table).where(
        inArray(
          table.id,
          victims.map((v) => v.id),
        ),
      );
  }

  /** Folds observations (oldest first) into a row, or into a new one when the first success comes. */
  function fold(
    row: PatternRow | undefined,
    path: string,
    obs: readonly Observation[],
  ): PatternRow | undefined {
    let cur = row;
    for (const o of obs) {
      const at = o.at ?? ctx.now();
      const outcome: Outcome = { agent: o.agent, ok: o.ok, at };
      if (!cur) {
        if (!o.ok) continue;
        cur = {
          id: `ptn-${randomUUID()}`,
          secretPath: path,
          method: o.method,
          urlTemplate: o.template,
          host: o.host,
          requestHeaders: o.headerNames.slice(0, MAX_HEADER_NAMES),
          requestSchema: o.requestSchema,
          responseSchema: o.responseSchema,
          lastStatus: o.status,
          recentOutcomes: [outcome],
          agents: [o.agent],
          successCount: 1,
          failureCount: 0,
          pinned: false,
          createdAt: at,
          updatedAt: at,
          lastUsedAt: at,
        };
        continue;
      }
      cur = {
        ...cur,
        recentOutcomes: pushOutcome(cur.recentOutcomes, outcome),
        agents: [...cur.agents.filter((a) => a !== o.agent), o.agent].slice(-MAX_AGENTS),
        successCount: cur.successCount + (o.ok ? 1 : 0),
        failureCount: cur.failureCount + (o.ok ? 0 : 1),
        lastStatus: o.status ?? cur.lastStatus,
        updatedAt: at,
        lastUsedAt: at,
      };
      if (o.ok) {
        cur.requestHeaders = union(cur.requestHeaders, o.headerNames, MAX_HEADER_NAMES);
        if (o.requestSchema) cur.requestSchema = mergeSchema(cur.requestSchema, o.requestSchema);
        if (o.responseSchema) cur.responseSchema = mergeSchema(cur.responseSchema, o.responseSchema);
      }
    }
    return cur;
  }

  /**
   * Applies the observations of one (secret, method, template) inside `tx`: one read and one write
   * however many calls they describe. Only a success creates a pattern; failures update an existing one.
   */
  async function apply(tx: Db, path: string, obs: readonly Observation[]): Promise<void> {
    const first = obs[0];
    if (!first) return;
    const row = await find(tx, path, first.method, first.template);
    const next = fold(row, path, obs);
    if (!next || next === row) return;
    if (!row) {
      await makeRoom(tx, path);
      await tx.insert(table).values(next).onConflictDoNothing();
      return;
    }
    const { id, ...changes } = next;
    await tx.update(table).set(changes).where(eq(table.id, id));
  }

  /** Records one call against each referenced secret inside `tx` (at once, not queued). */
  async function record(tx: Db, paths: readonly string[], o: Observation): Promise<void> {
    for (const path of new Set(paths)) await apply(tx, path, [o]);
  }

  // Observations wait in memory and are written together: one read and one write per pattern per
  // flush, off the response path. `settled()` (every read of patterns here) flushes at once.
  let queue: { path: string; o: Observation }[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let flushing: Promise<void> | null = null;
  let dropped = 0;

  async function writeQueued() {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      const groups = new Map<string, { path: string; obs: Observation[] }>();
      for (const { path, o } of batch) {
        const key = JSON.stringify([path, o.method, o.template]);
        const g = groups.get(key);
        if (g) g.obs.push(o);
        else groups.set(key, { path, obs: [o] });
      }
      // One key order for every replica, so row locks are always taken in the same order.
      const keys = [...groups.keys()].sort();
      try {
        await ctx.store.tx(async (tx) => {
          for (const k of keys) {
            const g = groups.get(k);
            if (g) await apply(tx, g.path, g.obs);
          }
        });
      } catch (e) {
        ctx.log.warn("proxy patterns not recorded", {
          count: batch.length,
          error_message: e instanceof Error ? e.message : String(e),
        });
      }
    }
  }

  function flushNow(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    flushing ??= writeQueued().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  /** Queues an observation of a call; written within FLUSH_MS together with the others. */
  function observe(paths: readonly string[], o: Observation) {
    if (queue.length >= MAX_QUEUED) {
      if (dropped++ === 0) ctx.log.warn("proxy pattern queue full; observations dropped");
      return;
    }
    const at = o.at ?? ctx.now();
    for (const path of new Set(paths)) queue.push({ path, o: { ...o, at } });
    if (!timer && !flushing) {
      timer = setTimeout(() => {
        timer = null;
        void flushNow();
      }, FLUSH_MS);
      timer.unref?.();
    }
  }

  /** Writes everything queued so far (reads in this process then see their own calls). */
  async function settled() {
    while (queue.length > 0 || flushing) await flushNow();
  }

  // Suggestions read what is written; a call's own outcome may still be queued.
  const forSecrets = async (paths: readonly string[]): Promise<PatternRow[]> => {
    return paths.length
      ? ctx.store.db
          .select()
          .from(table)
          .where(inArray(table.secretPath, [...paths]))
      : [];
  };

  /** Suggestions and the number of patterns known for the secrets of a failed call. */
  async function help(paths: readonly string[], failed: { method: string; template: string }) {
    const rows = await forSecrets(paths);
    return { suggestions: suggest(rows, failed).map(suggestionView), available: rows.length };
  }

  async function load(id: string): Promise<PatternRow> {
    await settled();
    const [row] = await ctx.store.db.select().from(table).where(eq(table.id, id)).limit(1);
    if (!row) throw new GatehouseError("not_found", `No pattern "${id}"`);
    return row;
  }

  /** Pin and delete: global admins, or admins of the pattern's secret. A pattern others cannot see is 404. */
  async function loadForAdmin(actor: Actor, id: string, action: string): Promise<PatternRow> {
    const row = await load(id);
    if (ctx.policies.isGlobalAdmin(actor) || accessOn(ctx, actor, row.secretPath).admin) return row;
    await ctx.audit.append({
      ...auditBy(actor),
      action,
      path: row.secretPath,
      success: false,
      outcome: "denied",
      metadata: { pattern_id: id, capability: "admin" },
    });
    if (!accessOn(ctx, actor, row.secretPath).visible)
      throw new GatehouseError("not_found", `No pattern "${id}"`);
    throw new GatehouseError("forbidden", `Managing patterns of "${row.secretPath}" needs admin on it`);
  }

  return {
    record,
    observe,
    settled,
    help,

    /** `?secret=P`: proxy or read on P; without it, global admins see every pattern. */
    async list(actor: Actor, secret?: string, limit = LIST_LIMIT) {
      let rows: PatternRow[];
      await settled();
      if (secret !== undefined) {
        const path = checkPath(secret);
        await authorizeAny(ctx, actor, ["proxy", "read"], path, "proxy.patterns");
        rows = await ctx.store.db
          .select()
          .from(table)
          .where(eq(table.secretPath, path))
          .orderBy(desc(table.lastUsedAt))
          .limit(LIST_LIMIT);
      } else {
        if (!ctx.policies.isGlobalAdmin(actor)) {
          await ctx.audit.append({
            ...auditBy(actor),
            action: "proxy.patterns",
            success: false,
            outcome: "denied",
            metadata: { capability: "admin" },
          });
          throw new GatehouseError(
            "forbidden",
            "Listing every pattern needs admin on **; pass ?secret=<path>",
          );
        }
        rows = await ctx.store.db.select().from(table).orderBy(desc(table.lastUsedAt)).limit(LIST_LIMIT);
      }
      const ranked = rankPatterns(rows).slice(0, limit);
      const adminOf = new Map<string, boolean>();
      const admin = (p: string) => {
        let a = adminOf.get(p);
        if (a === undefined) {
          a = accessOn(ctx, actor, p).admin;
          adminOf.set(p, a);
        }
        return a;
      };
      await ctx.audit.append({
        ...auditBy(actor),
        action: "proxy.patterns",
        path: secret ?? null,
        success: true,
        metadata: { count: ranked.length },
      });
      return { patterns: ranked.map((p) => patternView(p, { admin: admin(p.secretPath) })) };
    },

    /** Toggles the pin; returns `{pinned}` like Gatehouse. */
    async togglePin(actor: Actor, id: string) {
      const row = await loadForAdmin(actor, id, "proxy.pattern_pin");
      const pinned = !row.pinned;
      await ctx.store.tx(async (tx) => {
        const done = await tx
          .update(table)
          .set({ pinned, updatedAt: ctx.now() })
          .where(eq(table.id, id))
          .returning({ id: table.id });
        if (done.length !== 1) throw new GatehouseError("not_found", `No pattern "${id}"`);
        await ctx.audit.append(
          {
            ...auditBy(actor),
            action: "proxy.pattern_pin",
            path: row.secretPath,
            success: true,
            metadata: { pattern_id: id, pinned },
          },
          tx,
        );
      });
      return { id, pinned };
    },

    async remove(actor: Actor, id: string) {
      const row = await loadForAdmin(actor, id, "proxy.pattern_delete");
      await ctx.store.tx(async (tx) => {
        const done = await tx.delete(table).where(eq(table.id, id)).returning({ id: table.id });
        if (done.length !== 1) throw new GatehouseError("not_found", `No pattern "${id}"`);
        await ctx.audit.append(
          {
            ...auditBy(actor),
            action: "proxy.pattern_delete",
            path: row.secretPath,
            success: true,
            metadata: { pattern_id: id, method: row.method, url_template: row.urlTemplate },
          },
          tx,
        );
      });
      return { deleted: true, id };
    },
  };
}

export type PatternStore = ReturnType<typeof createPatternStore>;
