CREATE TABLE "allowed_traffic" (
	"summary_id" text NOT NULL,
	"ip" text NOT NULL,
	"prefix" text,
	"user_agent" text NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"requests" integer NOT NULL,
	"pages" integer NOT NULL,
	"assets" integer NOT NULL,
	"recent" jsonb NOT NULL,
	CONSTRAINT "allowed_traffic_summary_id_ip_pk" PRIMARY KEY("summary_id","ip")
);
--> statement-breakpoint
CREATE TABLE "traffic_summaries" (
	"id" text PRIMARY KEY NOT NULL,
	"from_at" timestamp with time zone NOT NULL,
	"to_at" timestamp with time zone NOT NULL,
	"clients" integer NOT NULL,
	"requests" integer NOT NULL,
	"evictions" integer DEFAULT 0 NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "allowed_traffic_ip_last_idx" ON "allowed_traffic" USING btree ("ip","last_at");--> statement-breakpoint
CREATE INDEX "allowed_traffic_last_idx" ON "allowed_traffic" USING btree ("last_at");