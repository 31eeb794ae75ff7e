import { getTableColumns, getTableName, is } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  foreignKey,
  index,
  jsonb,
  type PgColumnBuilderBase,
  type PgTableWithColumns,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import * as sqlite from "./index";

// The only place the dialects differ: each SQLite table is rebuilt as a PostgreSQL table with the
// same names, so one repository API (typed against SQLite) drives both engines.

type ColumnLike = {
  name: string;
  columnType: string;
  notNull: boolean;
  primary: boolean;
  isUnique: boolean;
} & {
  hasDefault: boolean;
  default: unknown;
  defaultFn?: () => unknown;
};

function pgColumn(c: ColumnLike): PgColumnBuilderBase {
  let b:
    | ReturnType<typeof text>
    | ReturnType<typeof bigint>
    | ReturnType<typeof boolean>
    | ReturnType<typeof jsonb>;
  switch (c.columnType) {
    case "SQLiteText":
      b = text(c.name);
      break;
    case "SQLiteInteger":
      b = bigint(c.name, { mode: "number" });
      break;
    case "SQLiteBoolean":
      b = boolean(c.name);
      break;
    case "SQLiteTextJson":
      b = jsonb(c.name);
      break;
    default:
      throw new Error(`pg twin: unsupported column type ${c.columnType} (${c.name})`);
  }
  // Builders are mutable configs; chaining returns the same object with a narrower type.
  const m = b as unknown as {
    primaryKey(): unknown;
    notNull(): unknown;
    unique(): unknown;
    default(v: unknown): unknown;
    $defaultFn(f: () => unknown): unknown;
  };
  if (c.primary) m.primaryKey();
  else if (c.notNull) m.notNull();
  if (c.isUnique) m.unique();
  if (c.defaultFn) m.$defaultFn(c.defaultFn);
  else if (c.hasDefault && c.default !== undefined) m.default(c.default);
  return b;
}

const built = new Map<SQLiteTable, PgTableWithColumns<never>>();

function twin(table: SQLiteTable): PgTableWithColumns<never> {
  const existing = built.get(table);
  if (existing) return existing;
  const cfg = getTableConfig(table);
  const cols = getTableColumns(table) as Record<string, ColumnLike>;
  const keyOf = new Map(Object.entries(cols).map(([k, c]) => [c.name, k]));
  const shape = Object.fromEntries(Object.entries(cols).map(([k, c]) => [k, pgColumn(c)]));
  const t = pgTable(cfg.name, shape, (pg) => {
    const col = (name: string) => (pg as Record<string, AnyPgColumn>)[keyOf.get(name) ?? ""] as AnyPgColumn;
    const extras = [];
    for (const ix of cfg.indexes) {
      const on = ix.config.columns.map((c) => col((c as { name: string }).name)) as [
        AnyPgColumn,
        ...AnyPgColumn[],
      ];
      extras.push(ix.config.unique ? uniqueIndex(ix.config.name).on(...on) : index(ix.config.name).on(...on));
    }
    for (const pk of cfg.primaryKeys) {
      const on = pk.columns.map((c) => col(c.name)) as [AnyPgColumn, ...AnyPgColumn[]];
      extras.push(primaryKey({ columns: on }));
    }
    for (const fk of cfg.foreignKeys) {
      const ref = fk.reference();
      const target = twin(ref.foreignTable);
      const targetCols = target as unknown as Record<string, AnyPgColumn>;
      const targetKey = (name: string) => {
        const entry = Object.entries(getTableColumns(ref.foreignTable)).find(([, c]) => c.name === name);
        return targetCols[entry?.[0] ?? ""] as AnyPgColumn;
      };
      const f = foreignKey({
        columns: ref.columns.map((c) => col(c.name)) as [AnyPgColumn, ...AnyPgColumn[]],
        foreignColumns: ref.foreignColumns.map((c) => targetKey(c.name)) as [AnyPgColumn, ...AnyPgColumn[]],
      });
      if (fk.onDelete) f.onDelete(fk.onDelete);
      extras.push(f);
    }
    return extras;
  });
  built.set(table, t as unknown as PgTableWithColumns<never>);
  return t as unknown as PgTableWithColumns<never>;
}

const tables = Object.entries(sqlite).filter(([, v]) => is(v, SQLiteTable)) as [string, SQLiteTable][];
export const pgSchema: Record<string, PgTableWithColumns<never>> = Object.fromEntries(
  tables.map(([k, v]) => [k, twin(v)]),
);
export const tableNames = tables.map(([, v]) => getTableName(v));
