CREATE TABLE "crawler_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"thumbprint" text NOT NULL,
	"directory" text NOT NULL,
	"name" text NOT NULL,
	"origin" text NOT NULL,
	"contact" text,
	"customer_id" text,
	"state" text NOT NULL,
	"prepaid" boolean DEFAULT false NOT NULL,
	"price_micros" bigint,
	"cap_micros" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crawler_accounts_thumbprint_unique" UNIQUE("thumbprint")
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"key" text PRIMARY KEY NOT NULL,
	"account" text NOT NULL,
	"kind" text NOT NULL,
	"micros" bigint NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "crawler_accounts_state_idx" ON "crawler_accounts" USING btree ("state");--> statement-breakpoint
CREATE INDEX "ledger_entries_account_at_idx" ON "ledger_entries" USING btree ("account","at");--> statement-breakpoint
CREATE INDEX "ledger_entries_at_idx" ON "ledger_entries" USING btree ("at");