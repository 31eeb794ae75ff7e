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
      insert = (row) => {
        stmt.run(
          ...(cols.map(([key, c]) => {
            const v = row[key];
            return v === undefined || v === null ? null : c.mapToDriverValue(v);
          }) as never[]),
        );
      };
      cache.set(table, insert);
    }
    return insert;
  };
}
