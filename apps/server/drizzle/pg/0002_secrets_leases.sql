CREATE TABLE "leases" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"path" text NOT NULL,
	"identity" text NOT NULL,
	"subject_id" text NOT NULL,
	"ttl_seconds" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"revoked_at" bigint,
	"revoke_reason" text,
	"source_ip" text
);
--> statement-breakpoint
CREATE TABLE "secret_versions" (
	"path" text NOT NULL,
	"version" bigint NOT NULL,
	"value" text NOT NULL,
	"metadata" jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	"created_by" text NOT NULL,
	"archived_at" bigint NOT NULL,
	CONSTRAINT "secret_versions_path_version_pk" PRIMARY KEY("path","version")
);
--> statement-breakpoint
CREATE TABLE "secrets" (
	"path" text PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL,
	"value" text NOT NULL,
	"metadata" jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"created_by" text NOT NULL,
	"updated_by" text NOT NULL,
	"deleted_at" bigint
);
--> statement-breakpoint
CREATE INDEX "leases_expiry_idx" ON "leases" USING btree ("revoked_at","expires_at");--> statement-breakpoint
CREATE INDEX "leases_path_idx" ON "leases" USING btree ("path");--> statement-breakpoint
CREATE INDEX "leases_identity_idx" ON "leases" USING btree ("identity");--> statement-breakpoint
CREATE INDEX "secrets_deleted_idx" ON "secrets" USING btree ("deleted_at");