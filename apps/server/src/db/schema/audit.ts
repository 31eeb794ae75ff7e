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
  // Every indexed column costs each append (the hottest write). Lists are newest first by seq, and
  // time bounds become seq bounds (ts never decreases along the chain), so (identity, seq) and
  // (action, seq) serve every filter without sorting; path prefixes are checked on the narrowed rows.
  (t) => [
    index("audit_identity_seq_idx").on(t.identity, t.seq),
    index("audit_action_seq_idx").on(t.action, t.seq),
  ],
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
