import { sql } from "drizzle-orm";
import { bigserial, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp } from "drizzle-orm/pg-core";

/** Every decision escalation has scored: the dashboard's feed and the next training run's data. */
export const decisions = pgTable(
  "decisions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** The report's id: a redelivered Queue message hits this unique key and is skipped. */
    reportId: text("report_id").notNull().unique(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    source: text("source").notNull(),
    ip: text("ip").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    userAgent: text("user_agent").notNull(),
    /** What the edge did (allow / challenge / tarpit / block) and its rule score. */
    edgeAction: text("edge_action").notNull(),
    edgeScore: doublePrecision("edge_score").notNull(),
    reasons: jsonb("reasons").notNull(),
    /** Escalation's model score in [0, 1]; null when no model was loaded (rules only). */
    modelScore: doublePrecision("model_score"),
    modelVersion: text("model_version"),
    /** Escalation's verdict: `bot`, `unsure` or `human`. */
    verdict: text("verdict").notNull(),
    /** True when this decision put the IP on the KV blocklist. */
    blocked: boolean("blocked").notNull().default(false),
    features: jsonb("features"),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "date" }).notNull().default(sql`now()`),
  },
  (t) => [index("decisions_at_idx").on(t.at), index("decisions_ip_idx").on(t.ip)],
);

/** One trained Markov chain. Rows of a model are written before it becomes active, so readers never see half of one. */
export const markovModels = pgTable("markov_models", {
  id: serial("id").primaryKey(),
  corpus: text("corpus").notNull(),
  order: integer("order").notNull(),
  tokens: integer("tokens").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().default(sql`now()`),
});

/** Which model each named corpus serves: switching a corpus to a new model is one row update. */
export const markovActive = pgTable("markov_active", {
  corpus: text("corpus").primaryKey(),
  modelId: integer("model_id")
    .notNull()
    .references(() => markovModels.id),
});

/** Transitions of a chain: after the `order` words in `prefix` (joined by a space), `next` follows `weight` times. */
export const markovTransitions = pgTable(
  "markov_transitions",
  {
    modelId: integer("model_id")
      .notNull()
      .references(() => markovModels.id, { onDelete: "cascade" }),
    prefix: text("prefix").notNull(),
    next: text("next").notNull(),
    weight: integer("weight").notNull(),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.prefix, t.next] })],
);
