import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The current version of each secret. `value` is sealed with context `secret:<path>:<version>`. */
export const secrets = sqliteTable(
  "secrets",
  {
    path: text("path").primaryKey(),
    version: integer("version").notNull(),
    value: text("value").notNull(),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, string>>().notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    createdBy: text("created_by").notNull(),
    updatedBy: text("updated_by").notNull(),
    // Deleting keeps the history (Gatehouse wiped it); a later write starts a new version after the last.
    deletedAt: integer("deleted_at"),
  },
  (t) => [index("secrets_deleted_idx").on(t.deletedAt)],
);

/** Every archived version, sealed with the same context it had when current. */
export const secretVersions = sqliteTable(
  "secret_versions",
  {
    path: text("path").notNull(),
    version: integer("version").notNull(),
    value: text("value").notNull(),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, string>>().notNull(),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    archivedAt: integer("archived_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.path, t.version] })],
);

/** Static leases: times are integer ms, so expiry comparisons are numeric (Gatehouse compared strings). */
export const leases = sqliteTable(
  "leases",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    path: text("path").notNull(),
    identity: text("identity").notNull(),
    subjectId: text("subject_id").notNull(),
    ttlSeconds: integer("ttl_seconds").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
    revokeReason: text("revoke_reason"),
    sourceIp: text("source_ip"),
  },
  (t) => [
    index("leases_expiry_idx").on(t.revokedAt, t.expiresAt),
    index("leases_path_idx").on(t.path),
    index("leases_identity_idx").on(t.identity),
  ],
);
