CREATE TABLE "proxy_patterns" (
	"id" text PRIMARY KEY NOT NULL,
	"secret_path" text NOT NULL,
	"method" text NOT NULL,
	"url_template" text NOT NULL,
	"host" text NOT NULL,
	"request_headers" jsonb NOT NULL,
	"request_schema" jsonb,
	"response_schema" jsonb,
	"last_status" bigint,
	"recent_outcomes" jsonb NOT NULL,
	"agents" jsonb NOT NULL,
	"success_count" bigint NOT NULL,
	"failure_count" bigint NOT NULL,
	"pinned" boolean NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"last_used_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "proxy_patterns_key_idx" ON "proxy_patterns" USING btree ("secret_path","method","url_template");--> statement-breakpoint
CREATE INDEX "proxy_patterns_used_idx" ON "proxy_patterns" USING btree ("last_used_at");