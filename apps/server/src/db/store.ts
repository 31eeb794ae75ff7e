import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Table } from "drizzle-orm";
import { type BunSQLiteDatabase, drizzle as drizzleSqlite } from "drizzle-orm/bun-sqlite";
import { migrate as migrateSqlite } from "drizzle-orm/bun-sqlite/migrator";
import { afterCommit, runHooks, withHooks } from "./commit-hooks";
import { Mutex } from "./mutex";
import { ReadCache } from "./read-cache";
import * as schema from "./schema";
import { sqliteInserter } from "./sqlite-insert";

export type Db = BunSQLiteDatabase<typeof schema>;
/** The tables of the store's own dialect, typed as the SQLite definitions (same names and JS types). */
export type Tables = typeof schema;
export type Dialect = "sqlite" | "pg";

/**
 * One repository API over both engines. Reads go through `db`; every write goes through `tx`,
 * which on SQLite serializes writers on one connection (bun:sqlite is synchronous, so an open
 * transaction must not interleave with other requests' statements).
 */
export interface Store {
  readonly dialect: Dialect;
  readonly db: Db;
  /** Always query through these: on PostgreSQL they are the twins, whose columns decode PostgreSQL values. */
  readonly t: Tables;
  /**
   * `appendOnly`: the transaction only appends to a log no prepared read covers (the audit chain),
   * so it leaves SQLite's cache of prepared reads valid.
   */
  tx<T>(fn: (tx: Db) => Promise<T>, opts?: { appendOnly?: boolean }): Promise<T>;
  /** Runs `fn` after the transaction `tx` commits (never if it rolls back); outside a transaction, at once. */
  afterCommit(tx: Db, fn: () => void): void;
  /** Serializes appends to a chain (audit): a no-op under SQLite's single writer, an xact lock on PostgreSQL. */
  lockChain(tx: Db, key: number): Promise<void>;
  /**
   * Claims the rows a worker selects inside `tx` so two replicas never both take one:
   * `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's single writer already serializes.
   */
  claim<Q>(query: Q): Q;
  /**
   * A read query built once and executed with placeholder values (`sql.placeholder("x")`), skipping
   * drizzle's per-call query building on hot paths (token checks, secret reads). Reads only; on
   * SQLite the rows are cached until a write commits (see ReadCache), so they must not be changed.
   */
  prepare<T>(name: string, build: (db: Db) => Preparable<T>): (params: Record<string, unknown>) => Promise<T>;
  /**
   * Inserts `rows` inside `tx`: on SQLite one cached statement per table run per row (no query
   * building: the audit append is the hottest write), on PostgreSQL multi-row inserts.
   */
  insertRows<R extends Record<string, unknown>>(tx: Db, table: Table, rows: R[]): Promise<void>;
  /**
   * A number that changes when another connection or process commits (SQLite `data_version` on the
   * writer: the `gatehouse` host tools write directly); undefined on PostgreSQL, where every replica writes.
   */
  externalVersion(): number | undefined;
  /** Cross-replica signal (PostgreSQL NOTIFY); a no-op for the single-process SQLite store. */
  notify(channel: string, payload: string): Promise<void>;
  /** Subscribes to `notify` from every replica (PostgreSQL LISTEN); returns the unsubscribe. */
  listen(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Raw SQL for tests and operational tooling (triggers, REVOKE, backups). */
  exec(statement: string): Promise<void>;
}

/** What `.prepare()` gives on a drizzle select (SQLite takes no name, PostgreSQL a statement name). */
export interface Preparable<T> {
  prepare(name?: string): { execute(params: Record<string, unknown>): T | Promise<T> };
}

/** bun:sqlite prepared queries run synchronously with `.all()` (`.execute()` defers to the await). */
type SyncPrepared = { all(params: Record<string, unknown>): never };

export const MIGRATIONS = join(import.meta.dir, "../../drizzle");

export interface OpenOptions {
  databaseUrl?: string;
  sqlitePath?: string;
  sqliteSync?: "normal" | "full";
  poolSize?: number;
}

export async function openStore(opts: OpenOptions): Promise<Store> {
  // The PostgreSQL driver is loaded only when it is used (idle memory of the SQLite default).
  if (opts.databaseUrl) return (await import("./store-pg")).openPg(opts.databaseUrl, opts.poolSize ?? 10);
  if (!opts.sqlitePath) throw new Error("openStore: sqlitePath or databaseUrl is required");
  return openSqlite(opts.sqlitePath, opts.sqliteSync ?? "normal");
}

function pragmas(conn: Database, sync: "normal" | "full") {
  conn.exec("PRAGMA journal_mode = WAL");
  // NORMAL in WAL mode survives a killed process; FULL also survives power loss.
  conn.exec(`PRAGMA synchronous = ${sync === "full" ? "FULL" : "NORMAL"}`);
  conn.exec("PRAGMA foreign_keys = ON");
  conn.exec("PRAGMA busy_timeout = 5000");
}

function openSqlite(path: string, sync: "normal" | "full"): Store {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const writer = new Database(path, { create: true, strict: true });
  pragmas(writer, sync);
  const writeDb = drizzleSqlite(writer, { schema });
  migrateSqlite(writeDb, { migrationsFolder: join(MIGRATIONS, "sqlite") });
  // A second connection for reads: WAL gives it a consistent snapshot that never sees an open write.
  const reader = path === ":memory:" ? writer : new Database(path, { strict: true });
  if (reader !== writer) pragmas(reader, sync);
  const readDb = reader === writer ? writeDb : drizzleSqlite(reader, { schema });
  const lock = new Mutex();
  const inserter = sqliteInserter(writer);
  const version = writer.query<{ data_version: number }, []>("PRAGMA data_version");
  const externalVersion = () => version.get()?.data_version ?? 0;
  const cache = new ReadCache(externalVersion);

  return {
    dialect: "sqlite",
    db: readDb,
    t: schema,
    tx: (fn, opts) =>
      lock.run(async () => {
        writer.exec("BEGIN IMMEDIATE");
        const rollback = (e: unknown) => {
          if (writer.inTransaction) writer.exec("ROLLBACK");
          throw e;
        };
        const done = await withHooks(writeDb, () => fn(writeDb)).catch(rollback);
        try {
          writer.exec("COMMIT");
        } catch (e) {
          rollback(e);
        }
        if (!opts?.appendOnly) cache.invalidate();
        runHooks(done.hooks);
        return done.result;
      }),
    afterCommit,
    lockChain: async () => {},
    claim: (query) => query,
    prepare: (_name, build) => {
      // Outside a transaction the writer connection answers: its page cache stays warm across its own
      // commits, while every commit (an audit entry per request) empties the reader's. During one,
      // the reader does, so an uncommitted write is never seen.
      const onWriter = build(writeDb).prepare() as unknown as SyncPrepared;
      const onReader = reader === writer ? onWriter : (build(readDb).prepare() as unknown as SyncPrepared);
      const read = cache.wrap((params) => (writer.inTransaction ? onReader : onWriter).all(params));
      return async (params) => read(params);
    },
    insertRows: async (tx, table, rows) => {
      if (tx !== writeDb) throw new Error("insertRows: not inside this store's transaction");
      const insert = inserter(table);
      for (const row of rows) insert(row);
    },
    externalVersion,
    notify: async () => {},
    listen: async () => async () => {},
    ping: async () => {
      reader.query("SELECT 1").get();
    },
    close: async () => {
      await lock.run(async () => {
        if (reader !== writer) reader.close();
        writer.close();
      });
    },
    exec: async (statement) => {
      await lock.run(async () => {
        try {
          writer.exec(statement);
        } finally {
          cache.invalidate();
        }
      });
    },
  };
}
