import { z } from "zod";

/** The `request.cf` facts edge-guard uses (all optional: absent locally and for some clients). */
export const CfFactsSchema = z.object({
  asn: z.number().int().nonnegative().optional(),
  asOrganization: z.string().max(200).optional(),
  country: z.string().max(8).optional(),
  httpProtocol: z.string().max(16).optional(),
  tlsVersion: z.string().max(16).optional(),
  clientTcpRtt: z.number().nonnegative().optional(),
});
export type CfFacts = z.infer<typeof CfFactsSchema>;

export const ReasonSchema = z.object({
  code: z.string().min(1).max(64),
  weight: z.number(),
  detail: z.string().max(200).optional(),
});

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

/**
 * One decision, reported by edge-guard (or the tarpit) to escalation over the reports Queue.
 * `id` makes processing idempotent: a redelivered message is recognised and skipped.
 */
export const DecisionReportSchema = z.object({
  v: z.literal(1),
  id: z.string().min(8).max(64),
  at: z.number().int().positive(),
  source: z.enum(["edge", "tarpit"]),
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
});
export type DecisionReport = z.infer<typeof DecisionReportSchema>;
