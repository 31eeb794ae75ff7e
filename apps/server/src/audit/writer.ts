import { GatehouseError } from "@gatehouse/core";
import { asc, count, desc, gt, lt, lte } from "drizzle-orm";
import type { Db, Store } from "../db/store";
import type { Logger } from "../log";
import type { Metrics } from "../ops/metrics";
import { type ChainRow, checkpointMac, entryMac, GENESIS_MAC } from "./chain";

export interface AuditEntry {
  identity: string;
  action: string;
  path?: string | null;
  leaseId?: string | null;
  sourceIp?: string | null;
  metadata?: Record<string, unknown>;
  success: boolean;
  /** Finer than success: "success" | "denied" | "error" | "pending" | "failure". */
  outcome?: string;
  requestId?: string | null;
}

export type AuditListener = (row: ChainRow) => void;

const CHAIN_LOCK = 7201002;
const MAX_BATCH = 256;
// Belt and braces: callers never pass values, but a field with one of these names is dropped anyway.
const FORBIDDEN_KEYS =
  /^(value|values|secret|secret_id|password|token|access_token|private_key|credential|credentials|code)$/i;

const cleanMetadata = (m?: Record<string, unknown>): string | null => {
  if (!m) return null;
  let keys = 0;
  let forbidden = false;
  for (const k in m) {
    keys++;
    if (FORBIDDEN_KEYS.test(k)) forbidden = true;
  }
  if (keys === 0) return null;
  if (!forbidden) return JSON.stringify(m);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) out[k] = FORBIDDEN_KEYS.test(k) ? "[omitted]" : v;
  return JSON.stringify(out);
};

export interface AuditWriter {
  /** Appends inside `tx` when given (so the entry commits or rolls back with the change), else in its own transaction. */
  append(entry: AuditEntry, tx?: Db): Promise<void>;
  subscribe(listener: AuditListener): () => void;
  /** Standalone entries waiting for the next group commit. */
  readonly queued: number;
  /** Resolves once every standalone entry queued so far is committed (or failed): graceful shutdown. */
  drain(): Promise<void>;
}

export function createAuditWriter(deps: {
  store: Store;
  key: Uint8Array;
  log: Logger;
  now?: () => number;
  metrics?: Pick<Metrics, "observeAuditCommit" | "auditFailed">;
}): AuditWriter {
  const { store, key, log, metrics } = deps;
  const now = deps.now ?? Date.now;
  const listeners = new Set<AuditListener>();
  const { auditLog, auditCheckpoints } = store.t;

  // SQLite has one writer connection, so the chain head can live in memory between commits (set only
  // after a commit, dropped after any failure). It is tagged with the connection's `data_version`,
  // which changes when another process commits (the `gatehouse` host tools append too): then the
  // head is read again. PostgreSQL replicas always read it under the lock.
  // `ts` is the newest entry's time: an entry is never dated before the one it follows, even when the
  // clock steps back, so time bounds can be turned into seq bounds (audit queries rely on it).
  type Head = { seq: number; mac: string; ts: number; version?: number };
  let cachedHead: Head | null = null;
  const cacheHead = store.dialect === "sqlite";
  async function head(tx: Db, version?: number): Promise<Head> {
    if (cachedHead && cachedHead.version === version) return cachedHead;
    const [last] = await tx
      .select({ seq: auditLog.seq, mac: auditLog.mac, ts: auditLog.ts })
      .from(auditLog)
      .orderBy(desc(auditLog.seq))
      .limit(1);
    if (last) return last;
    const [cp] = await tx
      .select({ seq: auditCheckpoints.throughSeq, mac: auditCheckpoints.headMac })
      .from(auditCheckpoints)
      .orderBy(desc(auditCheckpoints.id))
      .limit(1);
    // After a purge of everything the next entry may be dated freely: nothing older is left to order.
    return cp ? { ...cp, ts: 0 } : { seq: 0, mac: GENESIS_MAC, ts: 0 };
  }

  const toRow = (entry: AuditEntry, seq: number, after: number): ChainRow => ({
    seq,
    ts: Math.max(now(), after),
    identity: entry.identity,
    action: entry.action,
    path: entry.path ?? null,
    leaseId: entry.leaseId ?? null,
    sourceIp: entry.sourceIp ?? null,
    metadata: cleanMetadata(entry.metadata),
    success: entry.success,
    outcome: entry.outcome ?? (entry.success ? "success" : "failure"),
    requestId: entry.requestId ?? null,
  });

  /** Appends entries in order under the chain-head lock, inside `tx`. */
  async function write(entries: AuditEntry[], tx: Db): Promise<{ rows: ChainRow[]; last: Head }> {
    await store.lockChain(tx, CHAIN_LOCK);
    const version = cacheHead ? store.externalVersion() : undefined;
    let prev: Head = await head(tx, version);
    const rows: ChainRow[] = [];
    const values = [];
    for (const entry of entries) {
      const row = toRow(entry, prev.seq + 1, prev.ts);
      const mac = entryMac(key, prev.mac, row);
      values.push({ ...row, prevMac: prev.mac, mac });
      rows.push(row);
      prev = { seq: row.seq, mac, ts: row.ts };
    }
    await store.insertRows(tx, auditLog, values);
    // Our own commit leaves our data_version as it is: the head stays valid until someone else writes.
    return { rows, last: { ...prev, version } };
  }

  const committed = (last: Head) => {
    if (cacheHead) cachedHead = last;
  };

  // Group commit: standalone appends made in the same turn of the event loop (requests read from
  // the sockets together), or while a batch is being written, share one transaction; each caller
  // still waits until its own entry is committed.
  type Waiting = { entry: AuditEntry; resolve: () => void; reject: (e: unknown) => void };
  let queue: Waiting[] = [];
  let flushing = false;
  let drained: (() => void)[] = [];
  async function flush() {
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      const started = performance.now();
      try {
        const entries = batch.map((b) => b.entry);
        const { rows, last } = await store.tx((t) => write(entries, t), { appendOnly: true });
        metrics?.observeAuditCommit((performance.now() - started) / 1000, batch.length);
        committed(last);
        for (const b of batch) b.resolve();
        for (const r of rows) notify(r);
      } catch (e) {
        cachedHead = null;
        for (const b of batch) b.reject(e);
      }
    }
    flushing = false;
    const waiting = drained;
    drained = [];
    for (const d of waiting) d();
  }

  const notify = (row: ChainRow) => {
    for (const l of listeners) {
      try {
        l(row);
      } catch (e) {
        log.warn("audit listener failed", { error_message: String(e) });
      }
    }
  };

  return {
    async append(entry, tx) {
      try {
        if (tx) {
          // Until the caller's transaction ends, the cached head is unknown (it may roll back).
          const { rows, last } = await write([entry], tx);
          cachedHead = null;
          const [row] = rows;
          // Visible to the live tail only once the caller's transaction commits.
          store.afterCommit(tx, () => {
            committed(last);
            if (row) notify(row);
          });
        } else {
          await new Promise<void>((resolve, reject) => {
            queue.push({ entry, resolve, reject });
            if (!flushing) {
              flushing = true;
              setImmediate(flush);
            }
          });
        }
      } catch (e) {
        metrics?.auditFailed();
        log.error("audit write failed", {
          action: entry.action,
          error_message: e instanceof Error ? e.message : String(e),
        });
        throw new GatehouseError(
          "audit_unavailable",
          "The audit log cannot be written, so the request was not performed",
        );
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get queued() {
      return queue.length;
    },
    drain() {
      if (!flushing && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => drained.push(resolve));
    },
  };
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  from_seq: number;
  head_seq: number;
  first_broken?: { seq: number; reason: string };
}

/** Walks the chain from the latest checkpoint (or genesis) and reports the first entry that does not verify. */
export async function verifyChain(store: Store, key: Uint8Array, batch = 2000): Promise<VerifyResult> {
  const { db } = store;
  const { auditLog, auditCheckpoints } = store.t;
  const checkpoints = await db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.id));
  let prevMac = GENESIS_MAC;
  let prevSeq = 0;
  for (const cp of checkpoints) {
    if (checkpointMac(key, cp.throughSeq, cp.headMac, cp.ts, cp.purged) !== cp.mac) {
      return {
        ok: false,
        checked: 0,
        from_seq: prevSeq,
        head_seq: prevSeq,
        first_broken: { seq: cp.throughSeq, reason: "checkpoint signature invalid" },
      };
    }
    prevMac = cp.headMac;
    prevSeq = cp.throughSeq;
  }
  const fromSeq = prevSeq;
  let checked = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, prevSeq))
      .orderBy(asc(auditLog.seq))
      .limit(batch);
    for (const r of rows) {
      if (r.seq !== prevSeq + 1) return broken(r.seq, `gap: expected entry ${prevSeq + 1}`);
      if (r.prevMac !== prevMac) return broken(r.seq, "link to the previous entry does not match");
      if (entryMac(key, prevMac, r) !== r.mac) return broken(r.seq, "entry was modified");
      prevMac = r.mac;
      prevSeq = r.seq;
      checked++;
    }
    if (rows.length < batch) break;
  }
  return { ok: true, checked, from_seq: fromSeq, head_seq: prevSeq };

  function broken(seq: number, reason: string): VerifyResult {
    return { ok: false, checked, from_seq: fromSeq, head_seq: prevSeq, first_broken: { seq, reason } };
  }
}

/** Deletes entries older than `before` (a prefix of the chain) and leaves a signed checkpoint at the last one. */
export async function purgeBefore(
  store: Store,
  key: Uint8Array,
  before: number,
  now = Date.now(),
): Promise<number> {
  return (await store.tx((tx) => purgeBeforeIn(store, tx, key, before, now))).purged;
}

/** `purgeBefore` inside the caller's transaction (so the purge and its own audit entry commit together). */
export async function purgeBeforeIn(
  store: Store,
  tx: Db,
  key: Uint8Array,
  before: number,
  now = Date.now(),
): Promise<{ purged: number; throughSeq: number | null }> {
  const { auditLog, auditCheckpoints } = store.t;
  await store.lockChain(tx, CHAIN_LOCK);
  const [through] = await tx
    .select({ seq: auditLog.seq, mac: auditLog.mac })
    .from(auditLog)
    .where(lt(auditLog.ts, before))
    .orderBy(desc(auditLog.seq))
    .limit(1);
  if (!through) return { purged: 0, throughSeq: null };
  const [{ n } = { n: 0 }] = await tx
    .select({ n: count() })
    .from(auditLog)
    .where(lte(auditLog.seq, through.seq));
  const [cp] = await tx
    .select({ id: auditCheckpoints.id })
    .from(auditCheckpoints)
    .orderBy(desc(auditCheckpoints.id))
    .limit(1);
  const mac = checkpointMac(key, through.seq, through.mac, now, n);
  await tx.insert(auditCheckpoints).values({
    id: (cp?.id ?? 0) + 1,
    ts: now,
    throughSeq: through.seq,
    headMac: through.mac,
    purged: n,
    mac,
  });
  await tx.delete(auditLog).where(lte(auditLog.seq, through.seq));
  return { purged: n, throughSeq: through.seq };
}
