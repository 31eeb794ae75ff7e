import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Requests waiting for a human (PRODUCT.md §4). Times are integer ms. */
export const approvalRequests = sqliteTable(
  "approval_requests",
  {
    id: text("id").primaryKey(),
    // read | lease | dynamic | proxy | call
    kind: text("kind").notNull(),
    capability: text("capability").notNull(),
    path: text("path").notNull(),
    identity: text("identity").notNull(),
    subjectId: text("subject_id").notNull(),
    displayName: text("display_name").notNull(),
    reason: text("reason"),
    // Non-secret request details for the approver (requested ttl, proxy method and host, tool name).
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    sourceIp: text("source_ip"),
    requestedTtl: integer("requested_ttl"),
    maxTtl: integer("max_ttl"),
    status: text("status").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    decidedAt: integer("decided_at"),
    decidedBy: text("decided_by"),
    decisionReason: text("decision_reason"),
    approvedTtl: integer("approved_ttl"),
    breakGlass: integer("break_glass", { mode: "boolean" }).notNull(),
    // For lease/dynamic requests: the lease created at approval (its TTL starts then).
    leaseId: text("lease_id"),
    // Until when an approved request can be collected (lease expiry or grant expiry).
    validUntil: integer("valid_until"),
  },
  (t) => [
    index("approval_status_idx").on(t.status, t.createdAt),
    index("approval_identity_idx").on(t.identity, t.status),
  ],
);

/** Time-boxed permission created by an approval for read, proxy and MCP calls: the agent re-sends the call. */
export const grants = sqliteTable(
  "grants",
  {
    id: text("id").primaryKey(),
    requestId: text("request_id").notNull(),
    subjectId: text("subject_id").notNull(),
    capability: text("capability").notNull(),
    path: text("path").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("grants_lookup_idx").on(t.subjectId, t.capability, t.path)],
);
