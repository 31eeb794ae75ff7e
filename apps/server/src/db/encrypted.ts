// Every column that holds a value sealed under the master key. Master-key rotation re-wraps exactly
// these, so a feature that stores a sealed value adds its one line here (and data for it in
// test/rotation.test.ts, whose scan fails on a sealed column missing from this list).
import type { Purpose } from "@gatehouse/core/crypto";
import { and, asc, eq, getTableColumns, getTableName, gt, isNotNull, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import * as schema from "./schema";
import type { Db, Store, Tables } from "./store";

type TableName = { [K in keyof Tables]: Tables[K] extends SQLiteTable ? K : never }[keyof Tables];
type Field<K extends TableName> = keyof Tables[K]["$inferSelect"] & string;

export interface EncryptedColumn {
  /** `<table>.<column>` in SQL names (`meta.<key>` for sealed meta rows), as rotation reports it. */
  readonly name: string;
  readonly purpose: Purpose;
  readonly table: TableName;
  /** The drizzle field holding the sealed string. */
  readonly field: string;
  /** The drizzle fields of the primary key (rows are updated one by one through it). */
  readonly key: readonly string[];
  /** For `meta`: the one row this entry covers. */
  readonly metaKey?: string;
}

const definitions: Tables = schema;

const sqlName = (table: TableName, field: string) => {
  const t = definitions[table] as SQLiteTable;
  const column = (getTableColumns(t) as Record<string, SQLiteColumn>)[field];
  if (!column) throw new Error(`encrypted column registry: ${table} has no field ${field}`);
  return `${getTableName(t)}.${column.name}`;
};

const column = <K extends TableName>(
  table: K,
  field: Field<K>,
  key: Field<K>[],
  purpose: Purpose,
): EncryptedColumn => ({ name: sqlName(table, field), purpose, table, field, key });

const metaRow = (metaKey: string, purpose: Purpose): EncryptedColumn => ({
  name: `meta.${metaKey}`,
  purpose,
  table: "meta",
  field: "value",
  key: ["key"],
  metaKey,
});

export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  column("secrets", "value", ["path"], "secret"),
  column("secretVersions", "value", ["path", "version"], "secret"),
  column("users", "totpSecret", ["id"], "totp"),
  column("users", "totpPending", ["id"], "totp"),
  column("dynamicConfigs", "config", ["path"], "dynamic_config"),
  column("dynamicLeases", "credential", ["id"], "lease_credential"),
  column("mcpServers", "config", ["name"], "mcp_upstream"),
  metaRow("audit_key", "audit"),
  metaRow("jwt_key", "jwt"),
  metaRow("sso_client_secret", "sso_client_secret"),
];

const PAGE = 200;

export interface SealedRow {
  /** Primary-key values, in `column.key` order. */
  key: unknown[];
  value: string;
}

function resolve(store: Store, col: EncryptedColumn) {
  const table = store.t[col.table] as SQLiteTable;
  const cols = getTableColumns(table) as Record<string, SQLiteColumn>;
  const pick = (field: string) => {
    const c = cols[field];
    if (!c) throw new Error(`encrypted column registry: ${col.table} has no field ${field}`);
    return c;
  };
  return {
    table,
    value: pick(col.field),
    keys: col.key.map(pick),
    metaKeyColumn: col.metaKey ? pick("key") : null,
  };
}

// Keyset order over a composite key: (k0 > a) or (k0 = a and k1 > b) or ...
const after = (keys: SQLiteColumn[], last: unknown[]): SQL | undefined =>
  or(...keys.map((k, i) => and(...keys.slice(0, i).map((p, j) => eq(p, last[j])), gt(k, last[i]))));

/** One page of a column's sealed values in primary-key order, after `last` (a previous page's last key). */
export async function sealedPage(
  store: Store,
  db: Db,
  col: EncryptedColumn,
  last?: unknown[],
  limit = PAGE,
): Promise<SealedRow[]> {
  const { table, value, keys, metaKeyColumn } = resolve(store, col);
  const where: (SQL | undefined)[] = [isNotNull(value)];
  if (metaKeyColumn && col.metaKey) where.push(eq(metaKeyColumn, col.metaKey));
  if (last) where.push(after(keys, last));
  const fields: Record<string, SQLiteColumn> = { v: value };
  keys.forEach((k, i) => {
    fields[`k${i}`] = k;
  });
  const rows = (await db
    .select(fields)
    .from(table)
    .where(and(...where))
    .orderBy(...keys.map((k) => asc(k)))
    .limit(limit)) as Record<string, unknown>[];
  return rows.map((r) => ({ key: keys.map((_, i) => r[`k${i}`]), value: String(r.v) }));
}

/** Rewrites every sealed value of `col` through `fn` inside `tx` (synchronous crypto only); returns the count. */
export async function rewriteSealed(
  store: Store,
  tx: Db,
  col: EncryptedColumn,
  fn: (sealed: string, row: SealedRow) => string,
): Promise<number> {
  const { table, keys } = resolve(store, col);
  let count = 0;
  let last: unknown[] | undefined;
  for (;;) {
    const page = await sealedPage(store, tx, col, last);
    for (const row of page) {
      const next = fn(row.value, row);
      // The field name comes from the registry, checked against the table in `resolve`.
      await tx
        .update(table)
        .set({ [col.field]: next } as never)
        .where(and(...keys.map((k, i) => eq(k, row.key[i]))));
      count++;
    }
    const tail = page[page.length - 1];
    if (!tail || page.length < PAGE) return count;
    last = tail.key;
  }
}
