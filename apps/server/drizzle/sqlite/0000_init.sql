CREATE TABLE `audit_checkpoints` (
	`id` integer PRIMARY KEY NOT NULL,
	`ts` integer NOT NULL,
	`through_seq` integer NOT NULL,
	`head_mac` text NOT NULL,
	`purged` integer NOT NULL,
	`mac` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY NOT NULL,
	`ts` integer NOT NULL,
	`identity` text NOT NULL,
	`action` text NOT NULL,
	`path` text,
	`lease_id` text,
	`source_ip` text,
	`metadata` text,
	`success` integer NOT NULL,
	`outcome` text NOT NULL,
	`request_id` text,
	`prev_mac` text NOT NULL,
	`mac` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_ts_idx` ON `audit_log` (`ts`);--> statement-breakpoint
CREATE INDEX `audit_identity_idx` ON `audit_log` (`identity`,`ts`);--> statement-breakpoint
CREATE INDEX `audit_action_idx` ON `audit_log` (`action`,`ts`);--> statement-breakpoint
CREATE INDEX `audit_path_idx` ON `audit_log` (`path`);--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
