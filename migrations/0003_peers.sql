CREATE TABLE "peer_entries" (
	"peer_id" integer NOT NULL,
	"key" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "peer_entries_peer_id_key_pk" PRIMARY KEY("peer_id","key")
);
--> statement-breakpoint
CREATE TABLE "peer_syncs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"peer_id" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"error" text,
	"received" integer DEFAULT 0 NOT NULL,
	"applied" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"kept" integer DEFAULT 0 NOT NULL,
	"rejected" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "peers" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"feed_url" text,
	"key_url" text,
	"issuer" text,
	"public_jwk" jsonb,
	"key_thumbprint" text,
	"trust" text NOT NULL,
	"action" text DEFAULT 'block' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"last_feed_issued_at" bigint,
	"last_push_issued_at" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "peers_name_unique" UNIQUE("name"),
	CONSTRAINT "peers_key_thumbprint_unique" UNIQUE("key_thumbprint")
);
--> statement-breakpoint
ALTER TABLE "peer_entries" ADD CONSTRAINT "peer_entries_peer_id_peers_id_fk" FOREIGN KEY ("peer_id") REFERENCES "public"."peers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peer_syncs" ADD CONSTRAINT "peer_syncs_peer_id_peers_id_fk" FOREIGN KEY ("peer_id") REFERENCES "public"."peers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "peer_entries_key_idx" ON "peer_entries" USING btree ("key","expires_at");--> statement-breakpoint
CREATE INDEX "peer_syncs_peer_at_idx" ON "peer_syncs" USING btree ("peer_id","at");