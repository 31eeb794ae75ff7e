import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Dynamic-secret providers, in their own path namespace. `config` is the provider's JSON config
 * sealed with purpose `dynamic_config` and context `dynamic_config:<path>`; `metadata` holds only
 * the non-sensitive fields (host, port, database, principals, ...) for lists.
 */
export const dynamicConfigs = sqliteTable("dynamic_configs", {
  path: text("path").primaryKey(),
  providerType: text("provider_type").notNull(),
  config: text("config").notNull(),
  metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  createdBy: text("created_by").notNull(),
  updatedBy: text("updated_by").notNull(),
});

/**
 * Credentials issued by a provider. The row is written (status `creating`) before the provider is
 * called, so a crash leaves a row for the reaper to finish or clean, never an unknown user.
 * Status: creating → active → revoking → revoked, with revoke_failed (retried with backoff) and
 * failed (creation failed, cleaned up). `credential` is sealed with purpose `lease_credential` and
 * context `lease_credential:<id>`, and blanked once a revoke is requested.
 */
export const dynamicLeases = sqliteTable(
  "dynamic_leases",
  {
    id: text("id").primaryKey(),
    path: text("path").notNull(),
    providerType: text("provider_type").notNull(),
    identity: text("identity").notNull(),
    subjectId: text("subject_id").notNull(),
    // The name of the database user / ACL user / certificate key id: what revoke removes.
    username: text("username").notNull(),
    status: text("status").notNull(),
    credential: text("credential"),
    ttlSeconds: integer("ttl_seconds").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    activatedAt: integer("activated_at"),
    revokedAt: integer("revoked_at"),
    revokeReason: text("revoke_reason"),
    revokeAttempts: integer("revoke_attempts").notNull(),
    // When the reaper next looks at a creating / revoking / revoke_failed row.
    nextAttemptAt: integer("next_attempt_at"),
    // The provider's last error, without credentials.
    lastError: text("last_error"),
    sourceIp: text("source_ip"),
    // Set when the lease was created by approving a request (the reaper finishes those).
    approvalRequestId: text("approval_request_id"),
  },
  (t) => [
    index("dynamic_leases_status_idx").on(t.status, t.expiresAt),
    index("dynamic_leases_retry_idx").on(t.status, t.nextAttemptAt),
    index("dynamic_leases_path_idx").on(t.path),
    index("dynamic_leases_identity_idx").on(t.identity),
  ],
);
