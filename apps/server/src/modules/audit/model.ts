import { t } from "elysia";

const Filters = {
  identity: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
  action: t.Optional(t.String({ minLength: 1, maxLength: 100 })),
  /** Prefix of the entry's path. */
  path: t.Optional(t.String({ minLength: 1, maxLength: 512 })),
  /** ISO-8601; parsed by the service so a bad value names its field. */
  since: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
  until: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
  outcome: t.Optional(t.String({ pattern: "^[a-z_]{1,32}$" })),
  success: t.Optional(t.Union([t.Literal("true"), t.Literal("false")])),
};

// Numbers stay strings here: Elysia's query coercion reports range errors without the field name.
const Count = t.String({ pattern: "^[0-9]{1,15}$" });
export const ListQuery = t.Object({ ...Filters, limit: t.Optional(Count), before_seq: t.Optional(Count) });
export type ListQuery = typeof ListQuery.static;

export const ExportFormat = t.Union([t.Literal("json"), t.Literal("jsonl"), t.Literal("csv")]);
export type ExportFormat = typeof ExportFormat.static;
export const ExportQuery = t.Object({ ...Filters, format: ExportFormat });
export type ExportQuery = typeof ExportQuery.static;

export const Filter = t.Object(Filters);
export type Filter = typeof Filter.static;

export const Entry = t.Object({
  id: t.Integer(),
  timestamp: t.String(),
  identity: t.String(),
  action: t.String(),
  path: t.Nullable(t.String()),
  lease_id: t.Nullable(t.String()),
  source_ip: t.Nullable(t.String()),
  metadata: t.Nullable(t.Record(t.String(), t.Unknown())),
  success: t.Boolean(),
  outcome: t.String(),
  request_id: t.Nullable(t.String()),
});
export type Entry = typeof Entry.static;

export const EntryList = t.Object({ entries: t.Array(Entry), next_before_seq: t.Nullable(t.Integer()) });
export const EntryCount = t.Object({ count: t.Integer({ minimum: 0 }), through_id: t.Nullable(t.Integer()) });

export const Retention = t.Object({ retention_days: t.Integer({ minimum: 0, maximum: 36500 }) });
export type Retention = typeof Retention.static;

export const PurgeInput = t.Object({ before: t.Optional(t.String({ minLength: 1, maxLength: 64 })) });
export type PurgeInput = typeof PurgeInput.static;
export const Purged = t.Object({ purged: t.Integer(), checkpoint_seq: t.Nullable(t.Integer()) });

export const Verified = t.Object({
  ok: t.Boolean(),
  checked: t.Integer(),
  from_seq: t.Integer(),
  head_seq: t.Integer(),
  first_broken: t.Optional(t.Object({ seq: t.Integer(), reason: t.String() })),
});
