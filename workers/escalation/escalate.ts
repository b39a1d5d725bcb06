import { withDb, type Db } from "../../adapters/db/client";
import type { HistoryEntry } from "../../core/client-history";
import { finalVerdict, rulesScore, type ScoreSource } from "../../core/escalation-verdict";
import { extractFeatures, namedFeatures } from "../../core/features";
import type { LlmCase } from "../../core/llm/prompt";

import { sendAlert, type NewBlock } from "./alert";
import { escalationConfig, type EscalationConfig, type LlmConfig } from "./config";
import type { EscalationEnv } from "./env";
import { readHistories } from "./history";
import { intake, type Intake } from "./intake";
import { answerOf, callLlms, llmClientKey, planLlm, wantsLlm, type LlmOutcome } from "./llm-gate";
import { logFault } from "./log";
import { retryDelayS } from "../../core/retry-backoff";
import { scoreRows, type LoadedModel } from "./model";
import type { EscalationState } from "./state";
import { recordDecisions, type Decided } from "./record";
import { storeLedger } from "./ledger";
import { storeSummaries } from "./summaries";

/** One valid report, scored, with the history it was scored on. */
interface Scored extends Intake {
  readonly history: HistoryEntry[];
  readonly features: number[];
  readonly score: number;
  readonly source: ScoreSource;
  readonly version: string | null;
}

/** The LLM work a batch needs: one case per client key, and what the cache and budget allow. */
interface LlmWork {
  readonly config: LlmConfig;
  readonly cases: Map<string, LlmCase>;
  readonly outcomes: Map<string, LlmOutcome>;
  readonly call: string[];
}

/** What one batch did, for the log line. */
interface BatchOutcome {
  invalid: number;
  /** Summaries of allowed traffic stored, and redelivered ones skipped. */
  summaries: number;
  summaryDuplicates: number;
  /** Ledger rows written, and rows of redelivered batches already there. */
  ledgerRows: number;
  ledgerDuplicates: number;
  recorded: number;
  duplicates: number;
  blocks: number;
  llmCalls: number;
  retried: number;
}

/**
 * Handles one batch of reports: malformed ones go to the DLQ with their reason; the rest are scored with their
 * client's history (model, else rules), ambiguous ones are put to the LLM if one is configured, and every decision is
 * recorded once in `decisions`; bots (and bot-heavy prefixes) are blocklisted. A redelivered report changes nothing.
 */
export async function escalate(state: EscalationState, batch: MessageBatch, env: EscalationEnv, ctx?: ExecutionContext): Promise<void> {
  const started = Date.now();
  const config = escalationConfig(env);
  const { valid, summaries, ledger, invalid, retried } = await intake(batch, env);
  const outcome: BatchOutcome = {
    invalid,
    summaries: 0,
    summaryDuplicates: 0,
    ledgerRows: 0,
    ledgerDuplicates: 0,
    recorded: 0,
    duplicates: 0,
    blocks: 0,
    llmCalls: 0,
    retried,
  };
  if (summaries.length > 0) {
    // Stored before the decisions are scored, so a decision finds the allowed history that came with it.
    try {
      const stored = await withDb(env, (db) => storeSummaries(db, summaries));
      outcome.summaries = stored.recorded;
      outcome.summaryDuplicates = stored.duplicates;
      outcome.retried += stored.retried;
    } catch (error) {
      logFault("escalation_db_unavailable", error, null);
      for (const { msg } of summaries) msg.retry();
      outcome.retried += summaries.length;
    }
  }
  if (ledger.length > 0) {
    try {
      const stored = await withDb(env, (db) => storeLedger(db, ledger));
      outcome.ledgerRows = stored.written;
      outcome.ledgerDuplicates = stored.duplicates;
      outcome.retried += stored.retried;
    } catch (error) {
      logFault("escalation_db_unavailable", error, null);
      for (const { msg } of ledger) msg.retry({ delaySeconds: retryDelayS(msg.attempts) });
      outcome.retried += ledger.length;
    }
  }
  if (valid.length === 0) return logBatch(batch, outcome, null, started);
  const model = await state.model.load();
  if (model === null) state.faults.record("escalation-model");
  const settled = new Set<Message>();
  const blocks: NewBlock[] = [];
  const store = (db: Db, scored: readonly Scored[], work: LlmWork | null) =>
    storeAll(state, db, env, config, decide(config, scored, work), work, settled, blocks, outcome);
  try {
    // The LLM is asked between two database sessions, so no connection waits on a slow model.
    const pending = await withDb(env, async (db) => {
      const scored = await scoreBatch(state, db, valid, model);
      const work = config.llm === null ? null : await planWork(db, config.llm, scored);
      if (work === null || work.call.length === 0) return void (await store(db, scored, work));
      return { scored, work };
    });
    if (pending !== undefined) {
      const fresh = await callLlms(pending.work.config, env.AI, pending.work.cases, pending.work.call);
      outcome.llmCalls += pending.work.call.length;
      const failed = [...fresh.values()].filter((o) => o.outcome !== "answered").length;
      if (failed > 0) state.faults.record("escalation-llm", failed);
      for (const [key, value] of fresh) pending.work.outcomes.set(key, value);
      await withDb(env, (db) => store(db, pending.scored, pending.work));
    }
  } catch (error) {
    // Postgres unreachable (or not configured): every report not yet settled is retried (the Queue dead-letters
    // it after max_retries).
    logFault("escalation_db_unavailable", error, null);
    state.faults.record("escalation-database");
    for (const { msg } of valid.filter((v) => !settled.has(v.msg))) {
      // Backing off, so an outage of minutes does not use up max_retries and dead-letter the reports.
      msg.retry({ delaySeconds: retryDelayS(msg.attempts) });
      outcome.retried++;
    }
  }
  await state.faults.publish(env.BLOCKLIST, Date.now(), env.DEV_FAULTS === "on" ? 0 : undefined);
  if (config.alertWebhookUrl !== null && blocks.length > 0) {
    const alert = sendAlert(config.alertWebhookUrl, blocks);
    if (ctx === undefined) await alert;
    else ctx.waitUntil(alert);
  }
  logBatch(batch, outcome, model?.version ?? null, started);
}

async function scoreBatch(state: EscalationState, db: Db, valid: readonly Intake[], model: LoadedModel | null): Promise<Scored[]> {
  const histories = await readHistories(
    db,
    valid.map((v) => v.report),
  );
  const rows = valid.map((v, i) => extractFeatures(v.report, histories[i] ?? [], model?.pathModel ?? null));
  const scores = model === null ? null : await scoreRows(model, rows);
  if (model !== null && scores === null) state.faults.record("escalation-model");
  return valid.map((v, i) => {
    const features = rows[i] ?? [];
    const history = histories[i] ?? [];
    const modelScore = scores?.[i];
    return modelScore === undefined || model === null
      ? { ...v, history, features, score: rulesScore(features), source: "rules", version: null }
      : { ...v, history, features, score: modelScore, source: "model", version: model.version };
  });
}

/** One LLM case per client key with an ambiguous score (its latest report), then cache lookups and budget. */
async function planWork(db: Db, config: LlmConfig, scored: readonly Scored[]): Promise<LlmWork> {
  const cases = new Map<string, LlmCase>();
  for (const s of scored) {
    if (!wantsLlm(config, s.report, s.score)) continue;
    const key = llmClientKey(s.report);
    const known = cases.get(key);
    if (known !== undefined && known.report.at > s.report.at) continue;
    cases.set(key, { report: s.report, history: s.history, features: namedFeatures(s.features), score: s.score, scoreSource: s.source });
  }
  const plan = await planLlm(db, config, [...cases.keys()], Date.now());
  const outcomes = new Map(plan.cached);
  for (const key of plan.overBudget) outcomes.set(key, { outcome: "budget-exhausted", model: config.endpoint.label });
  return { config, cases, outcomes, call: plan.call };
}

function decide(config: EscalationConfig, scored: readonly Scored[], work: LlmWork | null): Decided[] {
  return scored.map((s) => {
    const llm = work !== null && wantsLlm(work.config, s.report, s.score) ? (work.outcomes.get(llmClientKey(s.report)) ?? null) : null;
    const verdict = finalVerdict(s.report, s.score, config.blockScore, answerOf(llm ?? undefined), config.llm?.minConfidence ?? 1);
    return { msg: s.msg, report: s.report, features: s.features, score: s.score, source: s.source, version: s.version, verdict, llm };
  });
}

/**
 * Records the batch in one transaction; if that fails, one report at a time, so a single poisonous report is
 * retried alone instead of holding back the rest.
 */
async function storeAll(
  state: EscalationState,
  db: Db,
  env: EscalationEnv,
  config: EscalationConfig,
  items: readonly Decided[],
  work: LlmWork | null,
  settled: Set<Message>,
  blocks: NewBlock[],
  outcome: BatchOutcome,
): Promise<void> {
  const answers = work?.outcomes ?? new Map<string, LlmOutcome>();
  const settle = (group: readonly Decided[], inserted: ReadonlySet<string>, newBlocks: readonly NewBlock[]) => {
    for (const item of group) {
      item.msg.ack();
      settled.add(item.msg);
      if (inserted.has(item.report.id)) outcome.recorded++;
      else outcome.duplicates++;
    }
    blocks.push(...newBlocks);
    outcome.blocks += newBlocks.length;
  };
  try {
    const recorded = await recordDecisions(db, env, config, items, answers, state.recentBlocks, Date.now());
    return settle(items, recorded.inserted, recorded.blocks);
  } catch (error) {
    logFault("escalation_batch_record_failed", error, null);
  }
  for (const item of items) {
    try {
      const recorded = await recordDecisions(db, env, config, [item], answers, state.recentBlocks, Date.now());
      settle([item], recorded.inserted, recorded.blocks);
    } catch (error) {
      logFault("escalation_record_failed", error, item.report.id);
      item.msg.retry({ delaySeconds: retryDelayS(item.msg.attempts) });
      settled.add(item.msg);
      outcome.retried++;
    }
  }
}

// `ms` is wall time; in workerd the clock advances only across I/O, so it is the batch's database, KV and LLM time.
function logBatch(batch: MessageBatch, outcome: BatchOutcome, version: string | null, started: number): void {
  console.log(
    JSON.stringify({
      msg: "escalation_batch",
      queue: batch.queue,
      size: batch.messages.length,
      model: version,
      ...outcome,
      ms: Date.now() - started,
    }),
  );
}
