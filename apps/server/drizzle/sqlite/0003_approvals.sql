CREATE TABLE `approval_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`capability` text NOT NULL,
	`path` text NOT NULL,
	`identity` text NOT NULL,
	`subject_id` text NOT NULL,
	`display_name` text NOT NULL,
	`reason` text,
	`details` text NOT NULL,
	`source_ip` text,
	`requested_ttl` integer,
	`max_ttl` integer,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`decided_at` integer,
	`decided_by` text,
	`decision_reason` text,
	`approved_ttl` integer,
	`break_glass` integer NOT NULL,
	`lease_id` text,
	`valid_until` integer
);
--> statement-breakpoint
CREATE INDEX `approval_status_idx` ON `approval_requests` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `approval_identity_idx` ON `approval_requests` (`identity`,`status`);--> statement-breakpoint
CREATE TABLE `grants` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`subject_id` text NOT NULL,
	`capability` text NOT NULL,
	`path` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `grants_lookup_idx` ON `grants` (`subject_id`,`capability`,`path`);