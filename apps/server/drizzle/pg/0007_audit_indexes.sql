DROP INDEX "audit_ts_idx";--> statement-breakpoint
DROP INDEX "audit_path_idx";