// Consistent copies of a vault's tables, for `gatehouse backup`/`restore` and for moving a SQLite vault
// into PostgreSQL. Rows are copied as drizzle reads them (sealed values stay sealed: the copy needs the
// same master key, never the key itself), in foreign-key order, in one transaction on each side.
import { Database } from "bun:sqlite";
import { existsSync, rmSync } from "node:fs";
import { getTableName, is, sql } from "drizzle-orm";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import * as schema from "../db/schema";
import type { Db, Store, Tables } from "../db/store";
import { KEY_FINGERPRINT, KEYRING_VERSION } from "../keys";

export const SNAPSHOT_FORMAT = "gatehouse-backup";
export const SNAPSHOT_VERSION = 1;

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  created_at: string;
  source_dialect: Store["dialect"];
  /** Fingerprint of the master key the sealed values need (the server refuses any other key). */
  key_fingerprint: string | null;
  keyring_version: string | null;
  /** Row arrays keyed by the schema's table name (SQL name). */
  tables: Record<string, Record<string, unknown>[]>;
}

type TableKey = keyof Tables & string;

/** Every table of the schema, parents before children (foreign keys), as [drizzle key, SQL name]. */
export function tablesInOrder(): [TableKey, string][] {
  const all = Object.entries(schema).filter(([, v]) => is(v, SQLiteTable)) as [TableKey, SQLiteTable][];
  const byName = new Map(all.map(([k, t]) => [getTableName(t), k]));
  const byKey = new Map(all);
  const deps = new Map(
    all.map(([k, t]) => [
      k,
      getTableConfig(t)
        .foreignKeys.map((fk) => byName.get(getTableName(fk.reference().foreignTable)))
        .filter((d): d is TableKey => d !== undefined && d !== k),
    ]),
  );
  const out: [TableKey, string][] = [];
  const seen = new Set<string>();
  const visit = (k: TableKey) => {
    if (seen.has(k)) return;
    seen.add(k);
    for (const d of deps.get(k) ?? []) visit(d);
    out.push([k, getTableName(byKey.get(k) as SQLiteTable)]);
  };
  for (const [k] of all.sort(([a], [b]) => a.localeCompare(b))) visit(k);
  return out;
}

type PgExec = { execute(q: ReturnType<typeof sql>): Promise<unknown> };

const metaValue = (rows: Record<string, unknown>[], key: string) =>
  (rows.find((r) => r.key === key)?.value as string | undefined) ?? null;

/** Reads every table in one transaction: REPEATABLE READ on PostgreSQL, the write lock on SQLite. */
export async function dumpStore(store: Store, now = Date.now()): Promise<Snapshot> {
  const order = tablesInOrder();
  const tables = await store.tx(async (tx) => {
    if (store.dialect === "pg")
      await (tx as unknown as PgExec).execute(
        sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`,
      );
    const out: Record<string, Record<string, unknown>[]> = {};
    for (const [key, name] of order) {
      out[name] = (await tx.select().from(store.t[key] as SQLiteTable)) as Record<string, unknown>[];
    }
    return out;
  });
  const meta = tables.meta ?? [];
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    created_at: new Date(now).toISOString(),
    source_dialect: store.dialect,
    key_fingerprint: metaValue(meta, KEY_FINGERPRINT),
    keyring_version: metaValue(meta, KEYRING_VERSION),
    tables,
  };
}

export function checkSnapshot(data: unknown): Snapshot {
  const s = data as Partial<Snapshot>;
  if (s?.format !== SNAPSHOT_FORMAT || typeof s.tables !== "object" || s.tables === null)
    throw new Error("not a Gatehouse backup (format gatehouse-backup)");
  if (s.version !== SNAPSHOT_VERSION) throw new Error(`backup format version ${s.version} is not supported`);
  const known = new Set(tablesInOrder().map(([, n]) => n));
  for (const name of Object.keys(s.tables))
    if (!known.has(name)) throw new Error(`the backup has a table "${name}" this version does not know`);
  return s as Snapshot;
}

/** Row counts of every table with rows. */
export async function rowCounts(store: Store, db: Db = store.db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [key, name] of tablesInOrder()) {
    const rows = (await db.select({ n: sql<number>`count(*)` }).from(store.t[key] as SQLiteTable)) as {
      n: number | string;
    }[];
    const n = Number(rows[0]?.n ?? 0);
    if (n > 0) out[name] = n;
  }
  return out;
}

/**
 * Writes a snapshot into `store` in one transaction. The target must hold no data unless `replace`,
 * which deletes every row first (children before parents). Returns the rows written per table.
 */
export async function loadSnapshot(
  store: Store,
  snap: Snapshot,
  opts: { replace?: boolean } = {},
): Promise<Record<string, number>> {
  const order = tablesInOrder();
  return store.tx(async (tx) => {
    const existing = await rowCounts(store, tx);
    // A fresh server writes its key fingerprint and sealed internal keys at first boot: a vault with
    // nothing but that is still empty.
    const data = Object.keys(existing).filter((t) => t !== "meta" && t !== "rate_limits");
    if (data.length > 0 && !opts.replace) {
      throw new Error(
        `the target already holds data (${data.map((t) => `${t}: ${existing[t]}`).join(", ")}); pass --replace to overwrite it`,
      );
    }
    for (const [key] of [...order].reverse()) await tx.delete(store.t[key] as SQLiteTable);
    const written: Record<string, number> = {};
    for (const [key, name] of order) {
      const rows = snap.tables[name] ?? [];
      const table = store.t[key] as SQLiteTable;
      for (let i = 0; i < rows.length; i += 200)
        await tx.insert(table).values(rows.slice(i, i + 200) as never);
      if (rows.length) written[name] = rows.length;
    }
    return written;
  });
}

/**
 * A consistent copy of a live SQLite database file (`VACUUM INTO` from a read-only connection: the
 * server may keep writing), checked with `PRAGMA integrity_check`.
 */
export function sqliteFileBackup(source: string, dest: string): void {
  if (existsSync(dest)) throw new Error(`${dest} already exists`);
  const db = new Database(source, { readonly: true });
  try {
    db.query("VACUUM INTO ?").run(dest);
  } finally {
    db.close();
  }
  const check = new Database(dest, { readonly: true });
  try {
    const r = check.query("PRAGMA integrity_check").get() as { integrity_check: string } | null;
    if (r?.integrity_check !== "ok")
      throw new Error(`the copy failed its integrity check: ${r?.integrity_check}`);
  } catch (e) {
    check.close();
    rmSync(dest, { force: true });
    throw e;
  }
  check.close();
}

/** Fingerprint and keyring version recorded in a SQLite vault file (read-only). */
export function sqliteFileInfo(path: string): {
  key_fingerprint: string | null;
  keyring_version: string | null;
} {
  const db = new Database(path, { readonly: true });
  try {
    const get = (key: string) =>
      (db.query("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | null)?.value ?? null;
    return { key_fingerprint: get(KEY_FINGERPRINT), keyring_version: get(KEYRING_VERSION) };
  } catch {
    throw new Error(`${path} is not a Gatehouse vault (no meta table)`);
  } finally {
    db.close();
  }
}
