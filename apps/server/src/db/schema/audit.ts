import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const auditLog = sqliteTable(
  "audit_log",
  {
    // Chain position, assigned by the writer under the chain-head lock.
    seq: integer("seq").primaryKey(),
    ts: integer("ts").notNull(),
    identity: text("identity").notNull(),
    action: text("action").notNull(),
    path: text("path"),
    leaseId: text("lease_id"),
    sourceIp: text("source_ip"),
    metadata: text("metadata"),
    success: integer("success", { mode: "boolean" }).notNull(),
    outcome: text("outcome").notNull(),
    requestId: text("request_id"),
    prevMac: text("prev_mac").notNull(),
    mac: text("mac").notNull(),
  },
  // Every indexed column costs each append (the hottest write); time ranges follow seq order, and
  // path prefixes are filtered on the identity/action-narrowed rows, so only these two are indexed.
  (t) => [index("audit_identity_idx").on(t.identity, t.ts), index("audit_action_idx").on(t.action, t.ts)],
);

// A purge leaves a signed checkpoint so verification can start after the purged range.
export const auditCheckpoints = sqliteTable("audit_checkpoints", {
  id: integer("id").primaryKey(),
  ts: integer("ts").notNull(),
  throughSeq: integer("through_seq").notNull(),
  headMac: text("head_mac").notNull(),
  purged: integer("purged").notNull(),
  mac: text("mac").notNull(),
});
