CREATE TABLE `dynamic_configs` (
	`path` text PRIMARY KEY NOT NULL,
	`provider_type` text NOT NULL,
	`config` text NOT NULL,
	`metadata` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `dynamic_leases` (
	`id` text PRIMARY KEY NOT NULL,
	`path` text NOT NULL,
	`provider_type` text NOT NULL,
	`identity` text NOT NULL,
	`subject_id` text NOT NULL,
	`username` text NOT NULL,
	`status` text NOT NULL,
	`credential` text,
	`ttl_seconds` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`activated_at` integer,
	`revoked_at` integer,
	`revoke_reason` text,
	`revoke_attempts` integer NOT NULL,
	`next_attempt_at` integer,
	`last_error` text,
	`source_ip` text,
	`approval_request_id` text
);
--> statement-breakpoint
CREATE INDEX `dynamic_leases_status_idx` ON `dynamic_leases` (`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `dynamic_leases_retry_idx` ON `dynamic_leases` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `dynamic_leases_path_idx` ON `dynamic_leases` (`path`);--> statement-breakpoint
CREATE INDEX `dynamic_leases_identity_idx` ON `dynamic_leases` (`identity`);