import { describe, expect, test } from "bun:test";
import { getTableName, is } from "drizzle-orm";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import * as sqlite from "../src/db/schema";
import * as pgExport from "../src/db/schema/pg-export";

describe("schema", () => {
  test("every SQLite table has its PostgreSQL twin exported for drizzle-kit", () => {
    const tables = Object.entries(sqlite).filter(([, v]) => is(v, SQLiteTable));
    expect(tables.length).toBeGreaterThan(5);
    for (const [key, table] of tables) {
      const twin = (pgExport as Record<string, unknown>)[key];
      expect(twin, `${key} missing from pg-export.ts`).toBeDefined();
      expect(getTableName(twin as SQLiteTable)).toBe(getTableName(table as SQLiteTable));
    }
  });
});
