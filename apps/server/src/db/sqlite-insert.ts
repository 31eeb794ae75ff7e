import type { Database } from "bun:sqlite";
import { getTableColumns, getTableName, type Table } from "drizzle-orm";

/** `INSERT INTO t (cols) VALUES (?, ...)` prepared once per table, with the columns' own value encoders. */
export function sqliteInserter(conn: Database) {
  const cache = new WeakMap<Table, (row: Record<string, unknown>) => void>();
  return (table: Table) => {
    let insert = cache.get(table);
    if (!insert) {
      const cols = Object.entries(getTableColumns(table));
      const names = cols.map(([, c]) => `"${c.name}"`).join(", ");
      const stmt = conn.prepare(
        `INSERT INTO "${getTableName(table)}" (${names}) VALUES (${cols.map(() => "?").join(", ")})`,
      );
      const keys = cols.map(([key]) => key);
      const encode = cols.map(
        ([, c]) =>
          (v: unknown) =>
            c.mapToDriverValue(v),
      );
      const args: unknown[] = new Array(cols.length);
      insert = (row) => {
        for (let i = 0; i < keys.length; i++) {
          const v = row[keys[i] as string];
          args[i] = v === undefined || v === null ? null : (encode[i] as (v: unknown) => unknown)(v);
        }
        stmt.run(...(args as never[]));
      };
      cache.set(table, insert);
    }
    return insert;
  };
}
