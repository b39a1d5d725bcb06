CREATE TABLE "decisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"report_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"ip" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"user_agent" text NOT NULL,
	"edge_action" text NOT NULL,
	"edge_score" double precision NOT NULL,
	"reasons" jsonb NOT NULL,
	"model_score" double precision,
	"model_version" text,
	"verdict" text NOT NULL,
	"blocked" boolean DEFAULT false NOT NULL,
	"features" jsonb,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "decisions_report_id_unique" UNIQUE("report_id")
);
--> statement-breakpoint
CREATE TABLE "markov_active" (
	"corpus" text PRIMARY KEY NOT NULL,
	"model_id" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "markov_models" (
	"id" serial PRIMARY KEY NOT NULL,
	"corpus" text NOT NULL,
	"order" integer NOT NULL,
	"tokens" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "markov_transitions" (
	"model_id" integer NOT NULL,
	"prefix" text NOT NULL,
	"next" text NOT NULL,
	"weight" integer NOT NULL,
	CONSTRAINT "markov_transitions_model_id_prefix_next_pk" PRIMARY KEY("model_id","prefix","next")
);
--> statement-breakpoint
ALTER TABLE "markov_active" ADD CONSTRAINT "markov_active_model_id_markov_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."markov_models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "markov_transitions" ADD CONSTRAINT "markov_transitions_model_id_markov_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."markov_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "decisions_at_idx" ON "decisions" USING btree ("at");--> statement-breakpoint
CREATE INDEX "decisions_ip_idx" ON "decisions" USING btree ("ip");