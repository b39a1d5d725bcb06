-- Sites (issue 13): every site-owned row names its site; existing rows become the default site's (the column default).
-- A user's or token's `sites` (null: every site) limits what it sees. Hand-ordered: the new key needs the column first.
ALTER TABLE "allowed_traffic" DROP CONSTRAINT "allowed_traffic_summary_id_ip_pk";--> statement-breakpoint
ALTER TABLE "admin_users" ADD COLUMN "sites" jsonb;--> statement-breakpoint
ALTER TABLE "allowed_traffic" ADD COLUMN "site" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "allowed_traffic" ADD CONSTRAINT "allowed_traffic_summary_id_site_ip_pk" PRIMARY KEY("summary_id","site","ip");--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "sites" jsonb;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "site" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "site" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "operator_labels" ADD COLUMN "site" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "policy_versions" ADD COLUMN "site" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "prefix_blocks" ADD COLUMN "site" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
CREATE INDEX "allowed_traffic_site_last_idx" ON "allowed_traffic" USING btree ("site","last_at");--> statement-breakpoint
CREATE INDEX "audit_log_site_at_idx" ON "audit_log" USING btree ("site","at");--> statement-breakpoint
CREATE INDEX "decisions_site_at_idx" ON "decisions" USING btree ("site","at");--> statement-breakpoint
CREATE INDEX "operator_labels_site_at_idx" ON "operator_labels" USING btree ("site","at");--> statement-breakpoint
CREATE INDEX "policy_versions_site_id_idx" ON "policy_versions" USING btree ("site","id");--> statement-breakpoint
CREATE INDEX "prefix_blocks_site_cidr_idx" ON "prefix_blocks" USING btree ("site","cidr","at");