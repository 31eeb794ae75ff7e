CREATE TABLE `leases` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`path` text NOT NULL,
	`identity` text NOT NULL,
	`subject_id` text NOT NULL,
	`ttl_seconds` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`revoke_reason` text,
	`source_ip` text
);
--> statement-breakpoint
CREATE INDEX `leases_expiry_idx` ON `leases` (`revoked_at`,`expires_at`);--> statement-breakpoint
CREATE INDEX `leases_path_idx` ON `leases` (`path`);--> statement-breakpoint
CREATE INDEX `leases_identity_idx` ON `leases` (`identity`);--> statement-breakpoint
CREATE TABLE `secret_versions` (
	`path` text NOT NULL,
	`version` integer NOT NULL,
	`value` text NOT NULL,
	`metadata` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`archived_at` integer NOT NULL,
	PRIMARY KEY(`path`, `version`)
);
--> statement-breakpoint
CREATE TABLE `secrets` (
	`path` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`value` text NOT NULL,
	`metadata` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`updated_by` text NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE INDEX `secrets_deleted_idx` ON `secrets` (`deleted_at`);