import { z } from "zod";
import { decisions } from "../../adapters/db/schema";
import { withDb, type Db } from "../../adapters/db/client";
import { blocklistKey } from "../../core/blocklist-key";
import { escalationBlock, ipToBlock, rulesScore, verdictFor, type ScoreSource } from "../../core/escalation-verdict";
import { extractFeatures, namedFeatures } from "../../core/features";
import { DecisionReportSchema, type DecisionReport } from "../../core/report";
import { escalationConfig, type EscalationConfig } from "./config";
import type { EscalationEnv } from "./env";
import { scoreRows } from "./model";

/** One valid report, scored. */
interface Scored {
  readonly msg: Message;
  readonly report: DecisionReport;
  readonly features: number[];
  readonly score: number;
  readonly source: ScoreSource;
}

/** What one batch did, for the log line. */
interface BatchOutcome {
  invalid: number;
  recorded: number;
  duplicates: number;
  blocked: number;
  retried: number;
}

/**
 * Handles one batch of reports: malformed ones go to the DLQ with their reason; the rest are scored (model, else
 * rules), recorded once in `decisions` and, for bots, blocklisted. A redelivered report changes nothing.
 */
export async function escalate(batch: MessageBatch, env: EscalationEnv): Promise<void> {
  const config = escalationConfig(env);
  const outcome: BatchOutcome = { invalid: 0, recorded: 0, duplicates: 0, blocked: 0, retried: 0 };
  const valid: { msg: Message; report: DecisionReport }[] = [];
  for (const msg of batch.messages) {
    const parsed = DecisionReportSchema.safeParse(msg.body);
    if (parsed.success) valid.push({ msg, report: parsed.data });
    else await deadLetter(env, msg, z.prettifyError(parsed.error), outcome);
  }
  if (valid.length === 0) return logBatch(batch, outcome, null);

  const rows = valid.map(({ report }) => extractFeatures(report));
  const model = await scoreRows(rows);
  const scored: Scored[] = valid.map(({ msg, report }, i) => {
    const features = rows[i] ?? [];
    const modelScore = model?.scores[i];
    return modelScore === undefined
      ? { msg, report, features, score: rulesScore(features), source: "rules" }
      : { msg, report, features, score: modelScore, source: "model" };
  });
  const settled = new Set<Scored>();
  try {
    await withDb(env, async (db) => {
      const blockedNow = new Set<string>();
      for (const item of scored) {
        try {
          const result = await record(db, env, config, item, model?.version ?? null, blockedNow);
          outcome[result]++;
          if (result === "blocked") outcome.recorded++;
          item.msg.ack();
        } catch (error) {
          logFault("escalation_record_failed", error, item.report.id);
          item.msg.retry();
          outcome.retried++;
        }
        settled.add(item);
      }
    });
  } catch (error) {
    // Postgres unreachable (or not configured): every report not yet settled is retried (the Queue dead-letters
    // it after max_retries).
    logFault("escalation_db_unavailable", error, null);
    for (const item of scored.filter((s) => !settled.has(s))) {
      item.msg.retry();
      outcome.retried++;
    }
  }
  logBatch(batch, outcome, model?.version ?? null);
}

/**
 * Inserts the decision and writes the blocklist entry in one transaction: if the KV write fails the row is rolled
 * back and the retry starts afresh; if the row already exists (a redelivery), nothing else happens.
 */
async function record(
  db: Db,
  env: EscalationEnv,
  config: EscalationConfig,
  item: Scored,
  version: string | null,
  blockedNow: Set<string>,
): Promise<"recorded" | "blocked" | "duplicates"> {
  const { report, score, source } = item;
  const verdict = verdictFor(score, config.blockScore);
  const ip = ipToBlock(verdict, report);
  const block = ip !== null && !blockedNow.has(ip); // one KV write per IP per batch (KV allows ~1 write/s per key)
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(decisions)
      .values({
        reportId: report.id,
        at: new Date(report.at),
        source: report.source,
        ip: report.ip,
        method: pgText(report.method),
        path: pgText(report.path),
        userAgent: pgText(report.userAgent),
        edgeAction: report.action,
        edgeScore: report.score,
        reasons: report.reasons.map((r) => ({ ...r, code: pgText(r.code), detail: r.detail === undefined ? undefined : pgText(r.detail) })),
        modelScore: source === "model" ? score : null,
        modelVersion: source === "model" ? version : null,
        verdict,
        blocked: block,
        features: namedFeatures(item.features),
      })
      .onConflictDoNothing({ target: decisions.reportId })
      .returning({ id: decisions.id });
    if (inserted.length === 0) return "duplicates";
    if (!block || ip === null) return "recorded";
    const entry = escalationBlock(score, source, version, Date.now());
    await env.BLOCKLIST.put(blocklistKey(ip), JSON.stringify(entry), { expirationTtl: config.blockTtlSeconds });
    blockedNow.add(ip);
    return "blocked";
  });
}

/** Sends a malformed report to the DLQ with its reason, then acks it; if the DLQ is unreachable, retries it. */
async function deadLetter(env: EscalationEnv, msg: Message, reason: string, outcome: BatchOutcome): Promise<void> {
  outcome.invalid++;
  try {
    await env.DLQ.send({ reason: reason.slice(0, 2000), body: msg.body, messageId: msg.id, attempts: msg.attempts });
    console.warn(JSON.stringify({ code: "escalation_invalid_report", messageId: msg.id, reason: reason.slice(0, 300) }));
    msg.ack();
  } catch (error) {
    logFault("escalation_dlq_send_failed", error, msg.id);
    msg.retry();
    outcome.retried++;
  }
}

// Postgres text and jsonb reject U+0000, and a client controls the User-Agent: one NUL must not poison a report.
function pgText(text: string): string {
  return text.replaceAll("\u0000", "\uFFFD");
}

function logFault(code: string, error: unknown, id: string | null): void {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.error(JSON.stringify({ code, id, detail: detail.slice(0, 500) }));
}

function logBatch(batch: MessageBatch, outcome: BatchOutcome, version: string | null): void {
  console.log(JSON.stringify({ msg: "escalation_batch", queue: batch.queue, size: batch.messages.length, model: version, ...outcome }));
}
