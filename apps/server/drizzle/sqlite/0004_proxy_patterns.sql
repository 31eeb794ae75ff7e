CREATE TABLE `proxy_patterns` (
	`id` text PRIMARY KEY NOT NULL,
	`secret_path` text NOT NULL,
	`method` text NOT NULL,
	`url_template` text NOT NULL,
	`host` text NOT NULL,
	`request_headers` text NOT NULL,
	`request_schema` text,
	`response_schema` text,
	`last_status` integer,
	`recent_outcomes` text NOT NULL,
	`agents` text NOT NULL,
	`success_count` integer NOT NULL,
	`failure_count` integer NOT NULL,
	`pinned` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_used_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `proxy_patterns_key_idx` ON `proxy_patterns` (`secret_path`,`method`,`url_template`);--> statement-breakpoint
CREATE INDEX `proxy_patterns_used_idx` ON `proxy_patterns` (`last_used_at`);