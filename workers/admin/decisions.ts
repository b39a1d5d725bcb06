import { desc } from "drizzle-orm";
import { z } from "zod";
import { withDb } from "../../adapters/db/client";
import { decisions } from "../../adapters/db/schema";
import type { AdminEnv } from "./env";

export const DecisionsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** One decision as the dashboard and the API show it. */
export interface DecisionView {
  readonly id: number;
  readonly at: string;
  readonly source: string;
  readonly ip: string;
  readonly method: string;
  readonly path: string;
  readonly userAgent: string;
  readonly edgeAction: string;
  readonly edgeScore: number;
  readonly reasons: unknown;
  readonly modelScore: number | null;
  readonly modelVersion: string | null;
  readonly verdict: string;
  readonly blocked: boolean;
}

/** The latest decisions, newest first. */
export async function latestDecisions(env: AdminEnv, limit: number): Promise<DecisionView[]> {
  const rows = await withDb(env, (db) => db.select().from(decisions).orderBy(desc(decisions.id)).limit(limit));
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    source: r.source,
    ip: r.ip,
    method: r.method,
    path: r.path,
    userAgent: r.userAgent,
    edgeAction: r.edgeAction,
    edgeScore: r.edgeScore,
    reasons: r.reasons,
    modelScore: r.modelScore,
    modelVersion: r.modelVersion,
    verdict: r.verdict,
    blocked: r.blocked,
  }));
}
