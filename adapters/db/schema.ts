import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

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
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
    /** Escalation's score in [0, 1], from the model or (model unavailable) the rules. */
    score: doublePrecision("score"),
    /** The client's IPv4 /24 or IPv6 /64, for prefix verdicts. */
    prefix: text("prefix"),
    /** Ground truth the reporting component attached (`core/report.ts` ReportLabel), for training. */
    labelKind: text("label_kind"),
    labelValue: text("label_value"),
    /** The LLM's outcome for this decision (asked, cached, timed out, over budget…) and its answer; null when not asked. */
    llm: jsonb("llm"),
    /** The whole validated report: training recomputes features from it with the current core/features.ts. */
    report: jsonb("report"),
    /** The site (core/sites.ts) this row belongs to; every row from before sites is the default site's. */
    site: text("site").notNull().default("default"),
  },
  (t) => [
    index("decisions_at_idx").on(t.at),
    index("decisions_site_at_idx").on(t.site, t.at),
    index("decisions_ip_at_idx").on(t.ip, t.at),
    index("decisions_prefix_at_idx").on(t.prefix, t.at),
    index("decisions_label_idx")
      .on(t.labelKind)
      .where(sql`${t.labelKind} IS NOT NULL`),
  ],
);

/**
 * Summaries of quiet clients' allowed traffic the edge sent instead of one report per request. `id` is the edge's
 * `<isolate>:<sequence>`: a redelivered summary hits this key (ON CONFLICT DO NOTHING) and is never counted twice.
 */
export const trafficSummaries = pgTable("traffic_summaries", {
  id: text("id").primaryKey(),
  from: timestamp("from_at", { withTimezone: true, mode: "date" }).notNull(),
  to: timestamp("to_at", { withTimezone: true, mode: "date" }).notNull(),
  clients: integer("clients").notNull(),
  requests: integer("requests").notNull(),
  evictions: integer("evictions").notNull().default(0),
  recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "date" })
    .notNull()
    .default(sql`now()`),
});

/** One client's allowed requests in one summary: exact counts, and its latest requests (at, path) as history. */
export const allowedTraffic = pgTable(
  "allowed_traffic",
  {
    summaryId: text("summary_id").notNull(),
    ip: text("ip").notNull(),
    prefix: text("prefix"),
    userAgent: text("user_agent").notNull(),
    first: timestamp("first_at", { withTimezone: true, mode: "date" }).notNull(),
    last: timestamp("last_at", { withTimezone: true, mode: "date" }).notNull(),
    requests: integer("requests").notNull(),
    pages: integer("pages").notNull(),
    assets: integer("assets").notNull(),
    /** `[{ at, path }]`, oldest first: the history escalation's features read. */
    recent: jsonb("recent").notNull(),
    /** The site (core/sites.ts) this row belongs to; every row from before sites is the default site's. */
    site: text("site").notNull().default("default"),
  },
  (t) => [
    // One client on two sites is two rows of one summary.
    primaryKey({ columns: [t.summaryId, t.site, t.ip] }),
    index("allowed_traffic_site_last_idx").on(t.site, t.last),
    index("allowed_traffic_ip_last_idx").on(t.ip, t.last),
    index("allowed_traffic_last_idx").on(t.last),
  ],
);

/** Labels operators set in admin: ground truth for training, about one decision (`reportId`) or a client IP. */
export const operatorLabels = pgTable(
  "operator_labels",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    ip: text("ip").notNull(),
    /** The decision the operator judged; null labels the IP at `at`. */
    reportId: text("report_id"),
    /** `bot`, `human` or `good-bot`. */
    value: text("value").notNull(),
    note: text("note"),
    createdBy: text("created_by"),
    at: timestamp("at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
    /** The site (core/sites.ts) this row belongs to; every row from before sites is the default site's. */
    site: text("site").notNull().default("default"),
  },
  (t) => [index("operator_labels_ip_idx").on(t.ip), index("operator_labels_site_at_idx").on(t.site, t.at)],
);

/** The last LLM answer per client key (IP + header fingerprint): the cache that keeps one client from costing twice. */
export const llmAnswers = pgTable("llm_answers", {
  clientKey: text("client_key").primaryKey(),
  at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
  /** `provider:model`, so a new LLM_URI does not reuse another model's answers. */
  model: text("model").notNull(),
  verdict: text("verdict").notNull(),
  confidence: doublePrecision("confidence").notNull(),
  rationale: text("rationale").notNull(),
});

/** LLM calls started per clock hour: the budget is reserved here atomically, so every isolate shares it. */
export const llmUsage = pgTable("llm_usage", {
  hour: timestamp("hour", { withTimezone: true, mode: "date" }).primaryKey(),
  calls: integer("calls").notNull(),
});

/** Client prefixes escalation put on the blocklist because many of their IPs were bots. */
export const prefixBlocks = pgTable(
  "prefix_blocks",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    cidr: text("cidr").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    botIps: integer("bot_ips").notNull(),
    reason: text("reason").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    /** The site whose reports found the prefix (its block is that site's); before sites: the default site. */
    site: text("site").notNull().default("default"),
  },
  (t) => [index("prefix_blocks_cidr_idx").on(t.cidr, t.at), index("prefix_blocks_site_cidr_idx").on(t.site, t.cidr, t.at)],
);

/** One trained Markov chain. Rows of a model are written before it becomes active, so readers never see half of one. */
export const markovModels = pgTable("markov_models", {
  id: serial("id").primaryKey(),
  corpus: text("corpus").notNull(),
  order: integer("order").notNull(),
  tokens: integer("tokens").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" })
    .notNull()
    .default(sql`now()`),
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

/** Operators of the admin dashboard (built-in login; Cloudflare Access users may also be mapped here by email). */
export const adminUsers = pgTable("admin_users", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  /** Matches a Cloudflare Access identity's email to this user's role. */
  email: text("email").unique(),
  /** `viewer`, `operator` or `admin` (core/admin/roles.ts). */
  role: text("role").notNull(),
  /** The site ids this user may see and act on (core/admin/roles.ts SiteScope); null: every site. */
  sites: jsonb("sites"),
  /** `pbkdf2-sha256$iterations$salt$hash` (core/admin/password-hash.ts); null: Access only, no built-in login. */
  passwordHash: text("password_hash"),
  /** Base32 TOTP secret; built-in login needs it. */
  totpSecret: text("totp_secret"),
  /** The last TOTP step accepted: a code is never accepted twice. */
  totpLastStep: bigint("totp_last_step", { mode: "number" }),
  disabled: boolean("disabled").notNull().default(false),
  /** Sessions issued before this are refused (password change, role change, "log out everywhere"). */
  sessionsValidAfter: timestamp("sessions_valid_after", { withTimezone: true, mode: "date" })
    .notNull()
    .default(sql`now()`),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" })
    .notNull()
    .default(sql`now()`),
});

/** API tokens for automation: only the SHA-256 of the token is kept; the token is shown once. */
export const apiTokens = pgTable("api_tokens", {
  id: serial("id").primaryKey(),
  name: text("name").notNull(),
  /** Hex SHA-256 of the token. */
  tokenHash: text("token_hash").notNull().unique(),
  role: text("role").notNull(),
  /** The site ids this token may see and act on; null: every site. */
  sites: jsonb("sites"),
  createdBy: text("created_by").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" })
    .notNull()
    .default(sql`now()`),
  expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }),
  lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "date" }),
  revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
});

/** Every change made through admin: who, what, to what, the value before and after. Append-only. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
    /** `user:<name>`, `token:<name>`, `access:<email>` or `dev`. */
    actor: text("actor").notNull(),
    /** Stable verb, e.g. `blocklist.add`, `policy.update`, `user.create`. */
    action: text("action").notNull(),
    /** What changed, e.g. `ip:203.0.113.7`, `policy:active`, `user:alice`. */
    target: text("target").notNull(),
    old: jsonb("old"),
    new: jsonb("new"),
    /** The site (core/sites.ts) the change was made in (sites themselves and users: the default site); every row from before sites is the default site's. */
    site: text("site").notNull().default("default"),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at),
    index("audit_log_target_idx").on(t.target, t.at),
    index("audit_log_site_at_idx").on(t.site, t.at),
  ],
);

/** Failed admin logins, by `user:<name>` and `ip:<addr>`: the rate limit every isolate shares. */
export const adminLoginFailures = pgTable(
  "admin_login_failures",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    key: text("key").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [index("admin_login_failures_key_at_idx").on(t.key, t.at)],
);

/** Every policy admin activated, newest last: the history behind KV `policy:active`. */
export const policyVersions = pgTable(
  "policy_versions",
  {
    id: serial("id").primaryKey(),
    at: timestamp("at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
    actor: text("actor").notNull(),
    policy: jsonb("policy").notNull(),
    note: text("note"),
    /** The site (core/sites.ts) this row belongs to; every row from before sites is the default site's. */
    site: text("site").notNull().default("default"),
  },
  (t) => [index("policy_versions_site_id_idx").on(t.site, t.id)],
);

/**
 * Peers this deployment learns blocks from: other edge-guard deployments (signed feed, `kind` edge-guard) and
 * community lists (plain text, `kind` list). The peer's public key is pinned on first contact.
 */
export const peers = pgTable("peers", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  /** `edge-guard` (JWS feed, may push) or `list` (one IP/CIDR per line, unsigned). */
  kind: text("kind").notNull(),
  /** Where the cron fetches the feed or list; null: the peer only pushes, or the list is only imported. */
  feedUrl: text("feed_url"),
  /** Where the peer publishes its key (first contact); null: `/.well-known/edge-guard/peer-key` at the feed's origin. */
  keyUrl: text("key_url"),
  /** The issuer its feeds must name; null until learned from its key document. */
  issuer: text("issuer"),
  /** The pinned Ed25519 public JWK; null until first contact. */
  publicJwk: jsonb("public_jwk"),
  /** RFC 7638 thumbprint of the pinned key (its JWS `kid`); set before first contact, the fetched key must match it. */
  keyThumbprint: text("key_thumbprint").unique(),
  /** `low`, `medium` or `high` (core/peers/trust.ts). */
  trust: text("trust").notNull(),
  /** What its entries do here: `block` or `tarpit`. */
  action: text("action").notNull().default("block"),
  enabled: boolean("enabled").notNull().default(true),
  /** `issuedAt` (epoch ms) of the newest feed and push accepted: anything not newer is a replay. */
  lastFeedIssuedAt: bigint("last_feed_issued_at", { mode: "number" }),
  lastPushIssuedAt: bigint("last_push_issued_at", { mode: "number" }),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" })
    .notNull()
    .default(sql`now()`),
});

/** Blocklist keys a peer put in KV, until they expire: its per-peer cap, refresh without rewrites, purge, no re-publishing. */
export const peerEntries = pgTable(
  "peer_entries",
  {
    peerId: integer("peer_id")
      .notNull()
      .references(() => peers.id, { onDelete: "cascade" }),
    /** The KV key, e.g. `ip:203.0.113.7`. */
    key: text("key").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.peerId, t.key] }), index("peer_entries_key_idx").on(t.key, t.expiresAt)],
);

/** One row per sync, push or import of a peer: what came in, what was applied, what was rejected and why. Pruned after 30 days. */
export const peerSyncs = pgTable(
  "peer_syncs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    peerId: integer("peer_id")
      .notNull()
      .references(() => peers.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    /** `feed` (cron pull), `push` or `import`. */
    kind: text("kind").notNull(),
    /** `ok`, `not_modified`, or an error code (`fetch_failed`, `invalid_signature`, `replayed`…). */
    status: text("status").notNull(),
    error: text("error"),
    received: integer("received").notNull().default(0),
    /** Written to KV. */
    applied: integer("applied").notNull().default(0),
    /** Already held with the same expiry: nothing written. */
    unchanged: integer("unchanged").notNull().default(0),
    /** A local (or another peer's) entry was there: left as it was. */
    kept: integer("kept").notNull().default(0),
    /** Rejected entries by reason (core/peers/vet.ts RejectReason → count). */
    rejected: jsonb("rejected")
      .notNull()
      .default(sql`'{}'::jsonb`),
  },
  (t) => [index("peer_syncs_peer_at_idx").on(t.peerId, t.at)],
);

/**
 * Pay-per-crawl accounts as the operator sees them, keyed `thumbprint directory` (core/crawler-account.ts accountId).
 * The CrawlerAccount Durable Object holds the terms the edge enforces; admin writes both, DO first.
 */
export const crawlerAccounts = pgTable(
  "crawler_accounts",
  {
    id: text("id").primaryKey(),
    /** RFC 7638 thumbprint of the crawler's Web Bot Auth key: one account per key (admin's URLs name it). */
    thumbprint: text("thumbprint").notNull().unique(),
    /** Origin of its key directory, e.g. `https://crawler.example`. */
    directory: text("directory").notNull(),
    /** A label for the operator (the crawler's name). */
    name: text("name").notNull(),
    /** Who asked for it: `operator` (admin) or `self` (self-registration with a signed request). */
    origin: text("origin").notNull(),
    contact: text("contact"),
    /** The payment gateway's customer id (`cus_…` at Stripe), once a top-up was started. */
    customerId: text("customer_id"),
    /** `pending`, `active` or `suspended` (core/crawler-account.ts). */
    state: text("state").notNull(),
    prepaid: boolean("prepaid").notNull().default(false),
    priceMicros: bigint("price_micros", { mode: "number" }),
    capMicros: bigint("cap_micros", { mode: "number" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [index("crawler_accounts_state_idx").on(t.state)],
);

/**
 * Every charge, refund and top-up, one row each, written by escalation from the accounts' outboxes. `key` is the
 * idempotency key (core/ledger-entry.ts), so a redelivered batch writes nothing twice. No foreign key: an account the
 * policy trusts is charged before the operator sets it up.
 */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    key: text("key").primaryKey(),
    account: text("account").notNull(),
    /** `charge`, `refund` or `topup`. */
    kind: text("kind").notNull(),
    /** Always positive; `kind` gives the sign. */
    micros: bigint("micros", { mode: "number" }).notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "date" })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [index("ledger_entries_account_at_idx").on(t.account, t.at), index("ledger_entries_at_idx").on(t.at)],
);
