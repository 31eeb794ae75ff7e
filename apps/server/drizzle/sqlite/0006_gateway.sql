CREATE TABLE `mcp_servers` (
	`name` text PRIMARY KEY NOT NULL,
	`transport` text NOT NULL,
	`config` text NOT NULL,
	`summary` text NOT NULL,
	`enabled` integer NOT NULL,
	`timeout_ms` integer NOT NULL,
	`filters` text NOT NULL,
	`tools` text,
	`tools_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `mcp_tools` (
	`server` text NOT NULL,
	`tool` text NOT NULL,
	`hidden` integer NOT NULL,
	`rename` text,
	`description` text,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	PRIMARY KEY(`server`, `tool`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mcp_tools_rename_idx` ON `mcp_tools` (`server`,`rename`);