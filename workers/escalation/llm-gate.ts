import { and, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "../../adapters/db/client";
import { llmAnswers, llmUsage } from "../../adapters/db/schema";
import { isGoodBot } from "../../core/escalation-verdict";
import { headerFingerprint } from "../../core/fingerprint";
import type { LlmAnswer } from "../../core/llm/answer";
import { buildLlmPrompt, type LlmCase } from "../../core/llm/prompt";
import type { DecisionReport } from "../../core/report";
import type { LlmConfig } from "./config";
import type { WorkersAi } from "./env";
import { askLlm } from "./llm";

/** What happened when escalation considered an LLM for a client: stored in `decisions.llm`. */
export type LlmOutcome =
  | ({ readonly outcome: "answered" | "cached"; readonly model: string; readonly ms?: number } & LlmAnswer)
  | {
      readonly outcome: "timeout" | "error" | "unparseable" | "budget-exhausted";
      readonly model: string;
      readonly detail?: string;
      readonly ms?: number;
    };

/** The queries a Postgres handle or an open transaction both offer. */
export type Queries = Pick<Db, "select" | "selectDistinct" | "insert" | "update">;

/** LLM calls running at once for one batch. */
const LLM_CONCURRENCY = 4;
const HOUR_MS = 3_600_000;

/** The cache and budget key of a client: its IP and header fingerprint (one client software at one address). */
export function llmClientKey(report: Pick<DecisionReport, "ip" | "userAgent" | "headers">): string {
  return `${report.ip}#${headerFingerprint(report.userAgent, report.headers)}`;
}

/** True when a score is ambiguous enough to ask (and the client is not a verified crawler). */
export function wantsLlm(config: LlmConfig, report: DecisionReport, score: number): boolean {
  return score >= config.scoreMin && score < config.scoreMax && !isGoodBot(report);
}

/** What to do per client key: reuse a cached answer, call now, or skip because the hour's budget is spent. */
export interface LlmPlan {
  readonly cached: Map<string, LlmOutcome>;
  readonly call: string[];
  readonly overBudget: string[];
}

/**
 * Looks up cached answers (same model, younger than the cache time) and reserves budget for the rest, atomically
 * in Postgres so every isolate draws from one hourly budget. Keys beyond the budget are skipped this time.
 */
export async function planLlm(db: Db, config: LlmConfig, keys: readonly string[], now: number): Promise<LlmPlan> {
  const model = config.endpoint.label;
  const rows =
    keys.length === 0
      ? []
      : await db
          .select()
          .from(llmAnswers)
          .where(
            and(inArray(llmAnswers.clientKey, [...keys]), eq(llmAnswers.model, model), gt(llmAnswers.at, new Date(now - config.cacheMs))),
          );
  const cached = new Map<string, LlmOutcome>();
  for (const row of rows) {
    const verdict = row.verdict === "bot" || row.verdict === "human" ? row.verdict : "unsure";
    cached.set(row.clientKey, { outcome: "cached", model, verdict, confidence: row.confidence, rationale: row.rationale });
  }
  const uncached = keys.filter((key) => !cached.has(key));
  const granted = uncached.length === 0 ? 0 : await reserveCalls(db, uncached.length, config.budgetPerHour, now);
  return { cached, call: uncached.slice(0, granted), overBudget: uncached.slice(granted) };
}

async function reserveCalls(db: Db, wanted: number, budget: number, now: number): Promise<number> {
  const hour = new Date(Math.floor(now / HOUR_MS) * HOUR_MS);
  return db.transaction(async (tx) => {
    await tx.insert(llmUsage).values({ hour, calls: 0 }).onConflictDoNothing();
    const [row] = await tx.select().from(llmUsage).where(eq(llmUsage.hour, hour)).for("update");
    const granted = Math.max(0, Math.min(wanted, budget - (row?.calls ?? budget)));
    if (granted > 0)
      await tx
        .update(llmUsage)
        .set({ calls: sql`${llmUsage.calls} + ${granted}` })
        .where(eq(llmUsage.hour, hour));
    return granted;
  });
}

/** Asks the LLM about each client (at most LLM_CONCURRENCY at a time); every failure becomes an outcome, never a throw. */
export async function callLlms(
  config: LlmConfig,
  ai: WorkersAi | undefined,
  cases: ReadonlyMap<string, LlmCase>,
  keys: readonly string[],
): Promise<Map<string, LlmOutcome>> {
  const outcomes = new Map<string, LlmOutcome>();
  const model = config.endpoint.label;
  const queue = [...keys];
  const worker = async (): Promise<void> => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      const subject = cases.get(key);
      if (subject === undefined) continue;
      const started = Date.now();
      const result = await askLlm(config.endpoint, buildLlmPrompt(subject), { apiKey: config.apiKey, timeoutMs: config.timeoutMs, ai });
      const ms = Date.now() - started;
      outcomes.set(
        key,
        result.ok
          ? { outcome: "answered", model, ms, ...result.value }
          : { outcome: result.error.outcome, model, detail: result.error.detail, ms },
      );
      if (!result.ok) console.warn(JSON.stringify({ code: `llm_${result.error.outcome}`, model, detail: result.error.detail }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(LLM_CONCURRENCY, queue.length) }, worker));
  return outcomes;
}

/** Stores fresh answers as the cache for their client keys. */
export async function saveLlmAnswers(db: Queries, outcomes: ReadonlyMap<string, LlmOutcome>, now: number): Promise<void> {
  const rows = [...outcomes].flatMap(([clientKey, o]) =>
    o.outcome === "answered"
      ? [{ clientKey, at: new Date(now), model: o.model, verdict: o.verdict, confidence: o.confidence, rationale: o.rationale }]
      : [],
  );
  if (rows.length === 0) return;
  await db
    .insert(llmAnswers)
    .values(rows)
    .onConflictDoUpdate({
      target: llmAnswers.clientKey,
      set: {
        at: sql`excluded.at`,
        model: sql`excluded.model`,
        verdict: sql`excluded.verdict`,
        confidence: sql`excluded.confidence`,
        rationale: sql`excluded.rationale`,
      },
    });
}

/** The answer an outcome carries, if any (answered or cached). */
export function answerOf(outcome: LlmOutcome | undefined): LlmAnswer | null {
  return outcome !== undefined && (outcome.outcome === "answered" || outcome.outcome === "cached") ? outcome : null;
}
