import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { sql } from "drizzle-orm";
import { type BunSQLiteDatabase, drizzle as drizzleSqlite } from "drizzle-orm/bun-sqlite";
import { migrate as migrateSqlite } from "drizzle-orm/bun-sqlite/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/postgres-js";
import { migrate as migratePg } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { Mutex } from "./mutex";
import * as schema from "./schema";
import { pgSchema } from "./schema/pg";

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
  tx<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Serializes appends to a chain (audit): a no-op under SQLite's single writer, an xact lock on PostgreSQL. */
  lockChain(tx: Db, key: number): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Raw SQL for tests and operational tooling (triggers, REVOKE, backups). */
  exec(statement: string): Promise<void>;
}

type PgExec = { execute(q: ReturnType<typeof sql>): Promise<unknown> };

const MIGRATIONS = join(import.meta.dir, "../../drizzle");

export interface OpenOptions {
  databaseUrl?: string;
  sqlitePath?: string;
  sqliteSync?: "normal" | "full";
  poolSize?: number;
}

export async function openStore(opts: OpenOptions): Promise<Store> {
  if (opts.databaseUrl) return openPg(opts.databaseUrl, opts.poolSize ?? 10);
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

  return {
    dialect: "sqlite",
    db: readDb,
    t: schema,
    tx: (fn) =>
      lock.run(async () => {
        writer.exec("BEGIN IMMEDIATE");
        try {
          const result = await fn(writeDb);
          writer.exec("COMMIT");
          return result;
        } catch (e) {
          if (writer.inTransaction) writer.exec("ROLLBACK");
          throw e;
        }
      }),
    lockChain: async () => {},
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
      await lock.run(async () => writer.exec(statement));
    },
  };
}

async function openPg(url: string, poolSize: number): Promise<Store> {
  // Migrations run on one dedicated connection under an advisory lock so replicas can boot together.
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin`SELECT pg_advisory_lock(7201001)`;
    await migratePg(drizzlePg(admin), { migrationsFolder: join(MIGRATIONS, "pg") });
    await admin`SELECT pg_advisory_unlock(7201001)`;
  } finally {
    await admin.end();
  }
  // int8 as Number: every integer column holds ms timestamps or counters well below 2^53.
  const client = postgres(url, {
    max: poolSize,
    onnotice: () => {},
    types: { int8: { to: 20, from: [20], serialize: String, parse: Number } } as never,
  });
  const db = drizzlePg(client, { schema: pgSchema }) as unknown as Db;
  return {
    dialect: "pg",
    db,
    t: pgSchema as unknown as Tables,
    tx: (fn) =>
      (db as unknown as { transaction<T>(f: (tx: Db) => Promise<T>): Promise<T> }).transaction((tx) =>
        fn(tx),
      ),
    lockChain: async (tx, key) => {
      await (tx as unknown as PgExec).execute(sql`SELECT pg_advisory_xact_lock(${key})`);
    },
    ping: async () => {
      await client`SELECT 1`;
    },
    close: async () => {
      await client.end({ timeout: 5 });
    },
    exec: async (statement) => {
      await client.unsafe(statement);
    },
  };
}
