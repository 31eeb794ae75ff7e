import { t } from "elysia";

export const MAX_VALUE_BYTES = 1024 * 1024;
export const MAX_METADATA_KEYS = 64;
export const MAX_METADATA_VALUE = 1024;
export const MAX_BULK_ITEMS = 1000;

const Path = t.String({ minLength: 1, maxLength: 256 });
// Key and size rules are checked in metadata.ts so the error names the offending key.
const MetadataIn = t.Record(t.String({ maxLength: 128 }), t.String({ maxLength: MAX_METADATA_VALUE }));
const MergeMetadataIn = t.Record(
  t.String({ maxLength: 128 }),
  t.Union([t.String({ maxLength: MAX_METADATA_VALUE }), t.Null()]),
);
// A value is at most 1 MiB of UTF-8; the character bound here is a cheap first cut.
const Value = t.String({ maxLength: MAX_VALUE_BYTES });

export const ListQuery = t.Object({ prefix: t.Optional(t.String({ maxLength: 256 })) });

/** POST /v1/secrets/:path (write) and POST /v1/secrets/:path/rollback share one wildcard route. */
export const SecretPost = t.Object({
  value: t.Optional(Value),
  metadata: t.Optional(MetadataIn),
  version: t.Optional(t.Integer({ minimum: 1, maximum: 2_147_483_647 })),
});
export type SecretPost = typeof SecretPost.static;

/** Replace by default; with `Content-Type: application/merge-patch+json`, null deletes a key. */
export const SecretPatch = t.Object({ metadata: MergeMetadataIn });
export type SecretPatch = typeof SecretPatch.static;

export const BulkImport = t.Object({
  prefix: t.Optional(t.String({ maxLength: 200 })),
  env_text: t.Optional(t.String({ maxLength: 2 * MAX_VALUE_BYTES })),
  secrets: t.Optional(
    t.Array(t.Object({ path: Path, value: Value, metadata: t.Optional(MetadataIn) }), {
      maxItems: MAX_BULK_ITEMS,
    }),
  ),
  dry_run: t.Optional(t.Boolean()),
});
export type BulkImport = typeof BulkImport.static;

const Metadata = t.Record(t.String(), t.String());

export const SecretView = t.Object({
  path: t.String(),
  metadata: Metadata,
  version: t.Number(),
  created_at: t.String(),
  updated_at: t.String(),
  kind: t.Literal("static"),
  caps: t.Array(t.String()),
});
export type SecretView = typeof SecretView.static;

export const SecretList = t.Object({ secrets: t.Array(SecretView) });
export const SecretValue = t.Object({ path: t.String(), value: t.String(), version: t.Number() });
export const VersionList = t.Object({
  versions: t.Array(
    t.Object({
      version: t.Number(),
      metadata: Metadata,
      created_at: t.String(),
      archived_at: t.Nullable(t.String()),
      current: t.Boolean(),
    }),
  ),
});
export type VersionList = typeof VersionList.static;

export const SecretDeleted = t.Object({
  deleted: t.Literal(true),
  path: t.String(),
  leases_revoked: t.Number(),
});
export const BulkResult = t.Union([
  t.Object({ dry_run: t.Literal(true), would_import: t.Array(t.String()) }),
  t.Object({ imported_count: t.Number(), paths: t.Array(t.String()) }),
]);
