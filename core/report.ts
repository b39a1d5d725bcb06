import { SiteIdSchema } from "./sites";
import { z } from "zod";
import { LedgerBatchSchema, type LedgerBatch } from "./ledger-entry";

/** The `request.cf` facts edge-guard uses (all optional: absent locally and for some clients). */
export const CfFactsSchema = z.object({
  asn: z.number().int().nonnegative().optional(),
  asOrganization: z.string().max(200).optional(),
  country: z.string().max(8).optional(),
  httpProtocol: z.string().max(16).optional(),
  tlsVersion: z.string().max(16).optional(),
  clientTcpRtt: z.number().nonnegative().optional(),
  /** TLS traits Cloudflare exposes on every plan: the same client software sends the same ClientHello. */
  tlsCipher: z.string().max(64).optional(),
  tlsClientExtensionsSha1: z.string().max(64).optional(),
  tlsClientCiphersSha1: z.string().max(64).optional(),
  /** JA4 fingerprint, present only with Bot Management. */
  ja4: z.string().max(64).optional(),
});
export type CfFacts = z.infer<typeof CfFactsSchema>;

export const ReasonSchema = z.object({
  code: z.string().min(1).max(64),
  weight: z.number(),
  detail: z.string().max(200).optional(),
});

/**
 * A reason as it travels in a report or sits in Postgres: its code is a plain string, since a report of an
 * older or newer edge may carry codes this version does not know (core/signals/registry.ts lists today's).
 */
export type ReportedReason = z.infer<typeof ReasonSchema>;

/** Recent activity of the client, as counted by its ClientLedger Durable Object. */
export const ClientCountsSchema = z.object({
  /** Requests in the last 60 s, this one included. */
  hits1m: z.number().int().nonnegative(),
  /** Requests in the last 10 min, this one included. */
  hits10m: z.number().int().nonnegative(),
  /** Requests answered by the tarpit in the last 10 min, this one included. */
  tarpitHits: z.number().int().nonnegative(),
});
export type ClientCounts = z.infer<typeof ClientCountsSchema>;

/** Where a label-bearing event came from. Never a model score: labels are evidence the model did not produce. */
export const LabelKindSchema = z.enum([
  "honeypot",
  "robots-violation",
  "tarpit-hop-out",
  "challenge-solved",
  "verified-crawler",
  "operator",
  "automation",
]);
export type LabelKind = z.infer<typeof LabelKindSchema>;

/** What a label says about the client: an unwanted bot, a person, or a wanted bot (verified crawler). */
export const LabelValueSchema = z.enum(["bot", "human", "good-bot"]);
export type LabelValue = z.infer<typeof LabelValueSchema>;

/** Ground truth attached to an event by the component that observed it (e.g. the tarpit saw a hop-out). */
export const ReportLabelSchema = z.object({ kind: LabelKindSchema, value: LabelValueSchema });
export type ReportLabel = z.infer<typeof ReportLabelSchema>;

/**
 * One decision, reported by edge-guard, the tarpit or the challenge page to escalation over the reports Queue
 * (one report per message; `sendBatch` for many). `id` makes processing idempotent: a redelivered message is
 * recognised and skipped. `label` and `signals` are optional additions to v1: older reports stay valid.
 */
export const DecisionReportSchema = z.object({
  v: z.literal(1),
  id: z.string().min(8).max(64),
  at: z.number().int().positive(),
  source: z.enum(["edge", "tarpit", "challenge"]),
  ip: z.string().min(2).max(45),
  method: z.string().max(16),
  path: z.string().max(2048),
  userAgent: z.string().max(1024),
  headers: z.record(z.string(), z.string().max(1024)),
  cf: CfFactsSchema,
  action: z.enum(["allow", "challenge", "tarpit", "block"]),
  score: z.number(),
  reasons: z.array(ReasonSchema).max(64),
  counts: ClientCountsSchema,
  /** Reason codes the edge computed for this request, weighted or not (e.g. `hdr-headless`, `verified-crawler`). */
  signals: z.array(z.string().min(1).max(64)).max(64).optional(),
  label: ReportLabelSchema.optional(),
  /** The site the request was for (core/sites.ts); absent, as in every report from before sites: the default site. */
  site: SiteIdSchema.optional(),
});
export type DecisionReport = z.infer<typeof DecisionReportSchema>;

/** Most recent allowed requests a summary carries per client: escalation's history never looks further back. */
export const SUMMARY_RECENT_MAX = 50;
/** Clients per summary message (and its body stays under the Queues limit of 128 KB; see `SUMMARY_BYTES_MAX`). */
export const SUMMARY_CLIENTS_MAX = 500;

/** One allowed request as history: when (epoch ms) and where. */
export const AllowedRequestSchema = z.object({ at: z.number().int().positive(), path: z.string().max(2048) });

/**
 * A quiet client's allowed traffic in one isolate between two flushes. `requests` is exact (every allowed request
 * counted); `recent` holds the latest of them (at most SUMMARY_RECENT_MAX), which is all the history features read.
 */
export const AllowedClientSchema = z
  .object({
    ip: z.string().min(2).max(45),
    userAgent: z.string().max(1024),
    first: z.number().int().positive(),
    last: z.number().int().positive(),
    requests: z.number().int().positive(),
    pages: z.number().int().nonnegative(),
    assets: z.number().int().nonnegative(),
    recent: z.array(AllowedRequestSchema).min(1).max(SUMMARY_RECENT_MAX),
    /** The site of this client's traffic; absent: the default site. */
    site: SiteIdSchema.optional(),
  })
  .refine((c) => c.first <= c.last && c.recent.length <= c.requests && c.pages + c.assets <= c.requests, {
    error: "inconsistent counts: need first <= last, recent <= requests, pages + assets <= requests",
  });
export type AllowedClient = z.infer<typeof AllowedClientSchema>;

/**
 * Allowed traffic of quiet clients, aggregated per client in one edge isolate and sent as one Queue message
 * (pay per suspicion: no message per allowed request). `id` is `<isolate>:<sequence>`, the idempotency key that
 * escalation records in Postgres, so a redelivered summary is never counted twice.
 */
export const TrafficSummarySchema = z.object({
  v: z.literal(2),
  kind: z.literal("summary"),
  id: z.string().min(8).max(80),
  source: z.literal("edge"),
  from: z.number().int().positive(),
  to: z.number().int().positive(),
  clients: z.array(AllowedClientSchema).min(1).max(SUMMARY_CLIENTS_MAX),
  /** Clients this isolate flushed early because its summary map was full (counted, never dropped). */
  evictions: z.number().int().nonnegative(),
});
export type TrafficSummary = z.infer<typeof TrafficSummarySchema>;

/** What edge-guard's isolates put on the reports Queue: one decision (v1) or a summary of allowed traffic (v2). */
export type ReportMessage = DecisionReport | TrafficSummary;
/** Everything the reports Queue carries: those, and a CrawlerAccount's ledger rows (v3). */
export type QueueMessage = ReportMessage | LedgerBatch;

/** A Queue body read: a decision, a summary, or why it was refused (for the dead-letter queue). */
export type ParsedMessage =
  | { readonly kind: "decision"; readonly report: DecisionReport }
  | { readonly kind: "summary"; readonly summary: TrafficSummary }
  | { readonly kind: "ledger"; readonly batch: LedgerBatch }
  | { readonly kind: "refused"; readonly reason: string };

/** Reads one reports-Queue body by its version: v1 a decision, v2 a summary, v3 ledger rows; anything else is refused. */
export function parseReportMessage(body: unknown): ParsedMessage {
  const version = typeof body === "object" && body !== null && "v" in body ? (body as { v: unknown }).v : undefined;
  if (version === 1) {
    const parsed = DecisionReportSchema.safeParse(body);
    return parsed.success ? { kind: "decision", report: parsed.data } : { kind: "refused", reason: z.prettifyError(parsed.error) };
  }
  if (version === 2) {
    const parsed = TrafficSummarySchema.safeParse(body);
    return parsed.success ? { kind: "summary", summary: parsed.data } : { kind: "refused", reason: z.prettifyError(parsed.error) };
  }
  if (version === 3) {
    const parsed = LedgerBatchSchema.safeParse(body);
    return parsed.success ? { kind: "ledger", batch: parsed.data } : { kind: "refused", reason: z.prettifyError(parsed.error) };
  }
  return {
    kind: "refused",
    reason: `unsupported message version: ${JSON.stringify(version ?? null).slice(0, 40)} (this escalation reads v1 decisions, v2 summaries and v3 ledger rows)`,
  };
}
