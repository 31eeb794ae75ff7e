CREATE TABLE "dynamic_configs" (
	"path" text PRIMARY KEY NOT NULL,
	"provider_type" text NOT NULL,
	"config" text NOT NULL,
	"metadata" jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"created_by" text NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dynamic_leases" (
	"id" text PRIMARY KEY NOT NULL,
	"path" text NOT NULL,
	"provider_type" text NOT NULL,
	"identity" text NOT NULL,
	"subject_id" text NOT NULL,
	"username" text NOT NULL,
	"status" text NOT NULL,
	"credential" text,
	"ttl_seconds" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"activated_at" bigint,
	"revoked_at" bigint,
	"revoke_reason" text,
	"revoke_attempts" bigint NOT NULL,
	"next_attempt_at" bigint,
	"last_error" text,
	"source_ip" text,
	"approval_request_id" text
);
--> statement-breakpoint
CREATE INDEX "dynamic_leases_status_idx" ON "dynamic_leases" USING btree ("status","expires_at");--> statement-breakpoint
CREATE INDEX "dynamic_leases_retry_idx" ON "dynamic_leases" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "dynamic_leases_path_idx" ON "dynamic_leases" USING btree ("path");--> statement-breakpoint
CREATE INDEX "dynamic_leases_identity_idx" ON "dynamic_leases" USING btree ("identity");