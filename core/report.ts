import { z } from "zod";

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
export const LabelKindSchema = z.enum(["honeypot", "robots-violation", "tarpit-hop-out", "challenge-solved", "verified-crawler", "operator", "automation"]);
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
});
export type DecisionReport = z.infer<typeof DecisionReportSchema>;
