CREATE TABLE "mcp_servers" (
	"name" text PRIMARY KEY NOT NULL,
	"transport" text NOT NULL,
	"config" text NOT NULL,
	"summary" jsonb NOT NULL,
	"enabled" boolean NOT NULL,
	"timeout_ms" bigint NOT NULL,
	"filters" jsonb NOT NULL,
	"tools" jsonb,
	"tools_at" bigint,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"created_by" text NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mcp_tools" (
	"server" text NOT NULL,
	"tool" text NOT NULL,
	"hidden" boolean NOT NULL,
	"rename" text,
	"description" text,
	"updated_at" bigint NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "mcp_tools_server_tool_pk" PRIMARY KEY("server","tool")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "mcp_tools_rename_idx" ON "mcp_tools" USING btree ("server","rename");