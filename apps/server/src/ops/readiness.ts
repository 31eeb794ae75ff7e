import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import type { Store } from "../db/store";

const MIGRATIONS = join(import.meta.dir, "../../drizzle");

/** The newest migration this build ships (drizzle records each applied one by its folder timestamp). */
function newestShipped(dialect: Store["dialect"]): number {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS, dialect, "meta/_journal.json"), "utf8")) as {
    entries: { when: number }[];
  };
  return Math.max(0, ...journal.entries.map((e) => e.when));
}

const shipped = new Map<Store["dialect"], number>();

type Row = { newest: number | string | null };
type SqliteReads = { values<T>(q: ReturnType<typeof sql>): T[][] };
type PgReads = { execute(q: ReturnType<typeof sql>): Promise<Row[]> };

/**
 * True when the database holds every migration of this build: false when it was restored from an
 * older backup behind the server's back, or another replica is still migrating it.
 */
export async function migrationsDone(store: Store): Promise<boolean> {
  let want = shipped.get(store.dialect);
  if (want === undefined) {
    want = newestShipped(store.dialect);
    shipped.set(store.dialect, want);
  }
  let row: Row | undefined;
  if (store.dialect === "sqlite") {
    const [values] = (store.db as unknown as SqliteReads).values<number | null>(
      sql`SELECT max(created_at) AS newest FROM __drizzle_migrations`,
    );
    row = { newest: values?.[0] ?? null };
  } else {
    [row] = await (store.db as unknown as PgReads).execute(
      sql`SELECT max(created_at) AS newest FROM drizzle.__drizzle_migrations`,
    );
  }
  return Number(row?.newest ?? 0) >= want;
}
