// The PostgreSQL store (several replicas), loaded only when GATEHOUSE_DATABASE_URL is set.
import { join } from "node:path";
import { sql, type Table } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/postgres-js";
import { migrate as migratePg } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterCommit, runHooks, withHooks } from "./commit-hooks";
import { pgSchema } from "./schema/pg";
import { type Db, MIGRATIONS, type Store, type Tables } from "./store";

type PgExec = { execute(q: ReturnType<typeof sql>): Promise<unknown> };
type PgLockable<Q> = { for(strength: "update", config: { skipLocked: true }): Q };

// PostgreSQL's bind-parameter limit (65535) divided by the widest row this is used for.
const PG_INSERT_CHUNK = 500;

export async function openPg(url: string, poolSize: number): Promise<Store> {
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
    // Reconnect delay in seconds after failed connections. postgres.js defaults to 3^n/100 s, capped at
    // 20 s: after a few seconds of outage under load the server stayed down for up to 20 s after the
    // database was back (found by test/faults.test.ts). Capped at 2 s instead.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 2),
    types: { int8: { to: 20, from: [20], serialize: String, parse: Number } } as never,
  });
  const db = drizzlePg(client, { schema: pgSchema }) as unknown as Db;
  return {
    dialect: "pg",
    db,
    t: pgSchema as unknown as Tables,
    tx: async (fn) => {
      let hooks: (() => void)[] = [];
      const result = await (
        db as unknown as { transaction<T>(f: (tx: Db) => Promise<T>): Promise<T> }
      ).transaction(async (tx) => {
        const done = await withHooks(tx, () => fn(tx));
        hooks = done.hooks;
        return done.result;
      });
      runHooks(hooks);
      return result;
    },
    afterCommit,
    lockChain: async (tx, key) => {
      await (tx as unknown as PgExec).execute(sql`SELECT pg_advisory_xact_lock(${key})`);
    },
    // Store.t is typed as the SQLite tables, but on PostgreSQL every select builder is a PgSelect.
    claim: (query) => (query as unknown as PgLockable<typeof query>).for("update", { skipLocked: true }),
    prepare: (name, build) => {
      const q = build(db).prepare(name);
      return async (params) => q.execute(params);
    },
    insertRows: async (tx, table, rows) => {
      for (let i = 0; i < rows.length; i += PG_INSERT_CHUNK)
        await (tx as unknown as PgExec & { insert(t: Table): { values(r: unknown[]): Promise<unknown> } })
          .insert(table)
          .values(rows.slice(i, i + PG_INSERT_CHUNK));
    },
    externalVersion: () => undefined,
    notify: async (channel, payload) => {
      await client.notify(channel, payload);
    },
    listen: async (channel, fn) => {
      const { unlisten } = await client.listen(channel, fn);
      return unlisten;
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
