import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Small singleton values: keyring version, key fingerprint, sealed audit/JWT keys, settings.
export const meta = sqliteTable("meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
