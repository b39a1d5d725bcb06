import { z } from "zod";
import { DecisionReportSchema, type DecisionReport } from "../../core/report";
import type { EscalationEnv } from "./env";
import { logFault } from "./log";

/** A message whose body is a valid report. */
export interface Intake {
  readonly msg: Message;
  readonly report: DecisionReport;
}

/**
 * Validates every message: valid reports are returned; a malformed one goes to the DLQ with its reason and is
 * acked (retrying cannot fix it), or is retried if the DLQ cannot be reached. Returns the count refused too.
 */
export async function intake(batch: MessageBatch, env: EscalationEnv): Promise<{ valid: Intake[]; invalid: number; retried: number }> {
  const valid: Intake[] = [];
  let invalid = 0;
  let retried = 0;
  for (const msg of batch.messages) {
    const parsed = DecisionReportSchema.safeParse(msg.body);
    if (parsed.success) {
      valid.push({ msg, report: parsed.data });
      continue;
    }
    invalid++;
    const reason = z.prettifyError(parsed.error);
    try {
      await env.DLQ.send({ reason: reason.slice(0, 2000), body: msg.body, messageId: msg.id, attempts: msg.attempts });
      console.warn(JSON.stringify({ code: "escalation_invalid_report", messageId: msg.id, reason: reason.slice(0, 300) }));
      msg.ack();
    } catch (error) {
      logFault("escalation_dlq_send_failed", error, msg.id);
      msg.retry();
      retried++;
    }
  }
  return { valid, invalid, retried };
}
