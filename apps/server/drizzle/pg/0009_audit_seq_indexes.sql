DROP INDEX "audit_identity_idx";--> statement-breakpoint
DROP INDEX "audit_action_idx";--> statement-breakpoint
CREATE INDEX "audit_identity_seq_idx" ON "audit_log" USING btree ("identity","seq");--> statement-breakpoint
CREATE INDEX "audit_action_seq_idx" ON "audit_log" USING btree ("action","seq");