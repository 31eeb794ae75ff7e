import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const approles = sqliteTable("approles", {
  // Gatehouse's role_id ("role-<uuid>").
  id: text("id").primaryKey(),
  displayName: text("display_name").notNull(),
  policies: text("policies", { mode: "json" }).$type<string[]>().notNull(),
  ipAllowlist: text("ip_allowlist", { mode: "json" }).$type<string[]>().notNull(),
  tokenTtlSeconds: integer("token_ttl_seconds").notNull(),
  suspended: integer("suspended", { mode: "boolean" }).notNull(),
  secretIdHash: text("secret_id_hash").notNull(),
  // Bumped on every secret rotation: tokens carry it and die with the old secret.
  secretGen: integer("secret_gen").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  lastUsedAt: integer("last_used_at"),
});

/** One-time onboarding and rotate links; only the sha256 of the token is stored. */
export const links = sqliteTable(
  "links",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    roleId: text("role_id")
      .notNull()
      .references(() => approles.id, { onDelete: "cascade" }),
    label: text("label"),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    consumedAt: integer("consumed_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("links_role_idx").on(t.roleId)],
);

/** Fixed-window counters shared by every replica; `inflight` counts attempts still being checked. */
export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull(),
  inflight: integer("inflight").notNull(),
});
