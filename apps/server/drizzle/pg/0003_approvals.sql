CREATE TABLE "approval_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"capability" text NOT NULL,
	"path" text NOT NULL,
	"identity" text NOT NULL,
	"subject_id" text NOT NULL,
	"display_name" text NOT NULL,
	"reason" text,
	"details" jsonb NOT NULL,
	"source_ip" text,
	"requested_ttl" bigint,
	"max_ttl" bigint,
	"status" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"decided_at" bigint,
	"decided_by" text,
	"decision_reason" text,
	"approved_ttl" bigint,
	"break_glass" boolean NOT NULL,
	"lease_id" text,
	"valid_until" bigint
);
--> statement-breakpoint
CREATE TABLE "grants" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"subject_id" text NOT NULL,
	"capability" text NOT NULL,
	"path" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "approval_status_idx" ON "approval_requests" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "approval_identity_idx" ON "approval_requests" USING btree ("identity","status");--> statement-breakpoint
CREATE INDEX "grants_lookup_idx" ON "grants" USING btree ("subject_id","capability","path");