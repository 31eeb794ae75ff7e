CREATE TABLE "audit_checkpoints" (
	"id" bigint PRIMARY KEY NOT NULL,
	"ts" bigint NOT NULL,
	"through_seq" bigint NOT NULL,
	"head_mac" text NOT NULL,
	"purged" bigint NOT NULL,
	"mac" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"ts" bigint NOT NULL,
	"identity" text NOT NULL,
	"action" text NOT NULL,
	"path" text,
	"lease_id" text,
	"source_ip" text,
	"metadata" text,
	"success" boolean NOT NULL,
	"outcome" text NOT NULL,
	"request_id" text,
	"prev_mac" text NOT NULL,
	"mac" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_ts_idx" ON "audit_log" USING btree ("ts");--> statement-breakpoint
CREATE INDEX "audit_identity_idx" ON "audit_log" USING btree ("identity","ts");--> statement-breakpoint
CREATE INDEX "audit_action_idx" ON "audit_log" USING btree ("action","ts");--> statement-breakpoint
CREATE INDEX "audit_path_idx" ON "audit_log" USING btree ("path");