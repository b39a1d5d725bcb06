CREATE TABLE "llm_answers" (
	"client_key" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"model" text NOT NULL,
	"verdict" text NOT NULL,
	"confidence" double precision NOT NULL,
	"rationale" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "llm_usage" (
	"hour" timestamp with time zone PRIMARY KEY NOT NULL,
	"calls" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "operator_labels" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ip" text NOT NULL,
	"report_id" text,
	"value" text NOT NULL,
	"note" text,
	"created_by" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "prefix_blocks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"cidr" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"bot_ips" integer NOT NULL,
	"reason" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP INDEX "decisions_ip_idx";--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "score" double precision;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "prefix" text;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "label_kind" text;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "label_value" text;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "llm" jsonb;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "report" jsonb;--> statement-breakpoint
CREATE INDEX "operator_labels_ip_idx" ON "operator_labels" USING btree ("ip");--> statement-breakpoint
CREATE INDEX "prefix_blocks_cidr_idx" ON "prefix_blocks" USING btree ("cidr","at");--> statement-breakpoint
CREATE INDEX "decisions_ip_at_idx" ON "decisions" USING btree ("ip","at");--> statement-breakpoint
CREATE INDEX "decisions_prefix_at_idx" ON "decisions" USING btree ("prefix","at");--> statement-breakpoint
CREATE INDEX "decisions_label_idx" ON "decisions" USING btree ("label_kind") WHERE "decisions"."label_kind" IS NOT NULL;