import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Learned proxy patterns (PRODUCT.md §5): one row per (secret, method, URL template). Holds header
 * names and JSON shapes only, never a value; `recent_outcomes` keeps the last 20 calls.
 */
export const proxyPatterns = sqliteTable(
  "proxy_patterns",
  {
    id: text("id").primaryKey(),
    secretPath: text("secret_path").notNull(),
    method: text("method").notNull(),
    urlTemplate: text("url_template").notNull(),
    host: text("host").notNull(),
    requestHeaders: text("request_headers", { mode: "json" }).$type<string[]>().notNull(),
    requestSchema: text("request_schema", { mode: "json" }).$type<Record<string, string>>(),
    responseSchema: text("response_schema", { mode: "json" }).$type<Record<string, string>>(),
    lastStatus: integer("last_status"),
    recentOutcomes: text("recent_outcomes", { mode: "json" })
      .$type<{ agent: string; ok: boolean; at: number }[]>()
      .notNull(),
    // Distinct identities that used the pattern, most recent last, bounded (Gatehouse's grew forever).
    agents: text("agents", { mode: "json" }).$type<string[]>().notNull(),
    successCount: integer("success_count").notNull(),
    failureCount: integer("failure_count").notNull(),
    pinned: integer("pinned", { mode: "boolean" }).notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    lastUsedAt: integer("last_used_at").notNull(),
  },
  (t) => [
    uniqueIndex("proxy_patterns_key_idx").on(t.secretPath, t.method, t.urlTemplate),
    index("proxy_patterns_used_idx").on(t.lastUsedAt),
  ],
);
