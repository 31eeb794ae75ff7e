import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Database policies; YAML policies are read from the config directory and never stored here. */
export const policies = sqliteTable("policies", {
  name: text("name").primaryKey(),
  description: text("description"),
  // The policy document as parsed by @gatehouse/core/policy (JSON).
  document: text("document", { mode: "json" }).$type<unknown>().notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
