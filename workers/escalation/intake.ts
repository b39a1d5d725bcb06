import type { LedgerBatch } from "../../core/ledger-entry";
import { parseReportMessage, type DecisionReport, type TrafficSummary } from "../../core/report";
import type { EscalationEnv } from "./env";
import { logFault } from "./log";

/** A message whose body is a valid decision report. */
export interface Intake {
  readonly msg: Message;
  readonly report: DecisionReport;
}

/** A message whose body is a valid summary of allowed traffic. */
export interface SummaryIntake {
  readonly msg: Message;
  readonly summary: TrafficSummary;
}

/** A message whose body is a CrawlerAccount's ledger rows. */
export interface LedgerIntake {
  readonly msg: Message;
  readonly batch: LedgerBatch;
}

/**
 * Reads every message by its version: valid decisions and summaries are returned; a malformed one, or one of a
 * version this escalation does not read, goes to the DLQ with its reason and is acked (retrying cannot fix it), or
 * is retried if the DLQ cannot be reached.
 */
export async function intake(
  batch: MessageBatch,
  env: EscalationEnv,
): Promise<{ valid: Intake[]; summaries: SummaryIntake[]; ledger: LedgerIntake[]; invalid: number; retried: number }> {
  const valid: Intake[] = [];
  const summaries: SummaryIntake[] = [];
  const ledger: LedgerIntake[] = [];
  let invalid = 0;
  let retried = 0;
  for (const msg of batch.messages) {
    const parsed = parseReportMessage(msg.body);
    if (parsed.kind === "decision") {
      valid.push({ msg, report: parsed.report });
      continue;
    }
    if (parsed.kind === "summary") {
      summaries.push({ msg, summary: parsed.summary });
      continue;
    }
    if (parsed.kind === "ledger") {
      ledger.push({ msg, batch: parsed.batch });
      continue;
    }
    invalid++;
    try {
      await env.DLQ.send({ reason: parsed.reason.slice(0, 2000), body: msg.body, messageId: msg.id, attempts: msg.attempts });
      console.warn(JSON.stringify({ code: "escalation_invalid_report", messageId: msg.id, reason: parsed.reason.slice(0, 300) }));
      msg.ack();
    } catch (error) {
      logFault("escalation_dlq_send_failed", error, msg.id);
      msg.retry();
      retried++;
    }
  }
  return { valid, summaries, ledger, invalid, retried };
}
