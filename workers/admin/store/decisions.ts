import { and, desc, eq, gte, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
import type { Conn } from "./db";
import { decisions } from "../../../adapters/db/schema";

type DecisionRow = typeof decisions.$inferSelect;

/** Filters the decisions feed takes; every one is optional and they combine with AND. */
export interface DecisionFilter {
  /** The site (absent: every site). */
  readonly site?: string;
  readonly ip?: string;
  readonly prefix?: string;
  readonly action?: readonly string[];
  readonly verdict?: readonly string[];
  readonly source?: string;
  readonly blocked?: boolean;
  /** A reason code the decision carries, e.g. `ua-ai-crawler`. */
  readonly reason?: string;
  readonly since?: Date;
  readonly until?: Date;
  /** Only ids below this (the cursor: pages go newest to oldest). */
  readonly beforeId?: number;
}

/** One decision as the dashboard and the API show it. */
export interface DecisionView {
  readonly id: number;
  readonly reportId: string;
  readonly at: string;
  readonly source: string;
  readonly ip: string;
  readonly prefix: string | null;
  readonly method: string;
  readonly path: string;
  readonly userAgent: string;
  readonly edgeAction: string;
  readonly edgeScore: number;
  readonly reasons: unknown;
  /** Signal codes the edge computed (weighted or not); null for decisions reported before signals were. */
  readonly signals: string[] | null;
  readonly cf: unknown;
  readonly score: number | null;
  readonly modelScore: number | null;
  readonly modelVersion: string | null;
  readonly verdict: string;
  readonly blocked: boolean;
  readonly label: { readonly kind: string; readonly value: string } | null;
  readonly llm: unknown;
}

function reportField(report: unknown, field: string): unknown {
  return typeof report === "object" && report !== null ? (report as Record<string, unknown>)[field] : undefined;
}

/** The API view of a decisions row. */
export function decisionView(r: DecisionRow): DecisionView {
  const signals = reportField(r.report, "signals");
  return {
    id: r.id,
    reportId: r.reportId,
    at: r.at.toISOString(),
    source: r.source,
    ip: r.ip,
    prefix: r.prefix,
    method: r.method,
    path: r.path,
    userAgent: r.userAgent,
    edgeAction: r.edgeAction,
    edgeScore: r.edgeScore,
    reasons: r.reasons,
    signals: Array.isArray(signals) ? signals.filter((s): s is string => typeof s === "string") : null,
    cf: reportField(r.report, "cf") ?? null,
    score: r.score,
    modelScore: r.modelScore,
    modelVersion: r.modelVersion,
    verdict: r.verdict,
    blocked: r.blocked,
    label: r.labelKind !== null && r.labelValue !== null ? { kind: r.labelKind, value: r.labelValue } : null,
    llm: r.llm,
  };
}

/** The SQL conditions of a filter. */
export function decisionConditions(f: DecisionFilter): SQL | undefined {
  const conditions: (SQL | undefined)[] = [
    f.site === undefined ? undefined : eq(decisions.site, f.site),
    f.ip === undefined ? undefined : eq(decisions.ip, f.ip),
    f.prefix === undefined ? undefined : eq(decisions.prefix, f.prefix),
    f.action === undefined ? undefined : inArray(decisions.edgeAction, [...f.action]),
    f.verdict === undefined ? undefined : inArray(decisions.verdict, [...f.verdict]),
    f.source === undefined ? undefined : eq(decisions.source, f.source),
    f.blocked === undefined ? undefined : eq(decisions.blocked, f.blocked),
    f.reason === undefined ? undefined : sql`${decisions.reasons} @> ${JSON.stringify([{ code: f.reason }])}::jsonb`,
    f.since === undefined ? undefined : gte(decisions.at, f.since),
    f.until === undefined ? undefined : lte(decisions.at, f.until),
    f.beforeId === undefined ? undefined : lt(decisions.id, f.beforeId),
  ];
  return and(...conditions.filter((c) => c !== undefined));
}

/** A page of decisions, newest first, and the cursor of the next page (null on the last). */
export async function listDecisions(
  d: Conn,
  filter: DecisionFilter,
  limit: number,
): Promise<{ decisions: DecisionView[]; nextCursor: string | null }> {
  const rows = await d
    .select()
    .from(decisions)
    .where(decisionConditions(filter))
    .orderBy(desc(decisions.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { decisions: page.map(decisionView), nextCursor: rows.length > limit && last !== undefined ? String(last.id) : null };
}

/** One decision by id, or null. */
export async function getDecision(d: Conn, id: number, site: string): Promise<DecisionRow | null> {
  const [row] = await d
    .select()
    .from(decisions)
    .where(and(eq(decisions.id, id), eq(decisions.site, site)))
    .limit(1);
  return row ?? null;
}
