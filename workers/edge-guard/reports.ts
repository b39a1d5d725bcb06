import type { DecisionReport } from "../../core/report";
import { recordFault } from "./faults";

/** Reports per Queue batch (the Queues limit is 100 messages and 256 KB). */
const BATCH_SIZE = 50;
/** Longest an allowed request's report waits in the buffer while traffic flows. */
const MAX_WAIT_MS = 2_000;
/** Reports held per isolate while the Queue is unreachable; past this the oldest are dropped (counted as faults). */
export const MAX_HELD_REPORTS = 2_000;
/** After a failed send, the next attempt waits this long (a Queue outage costs one attempt a second, not one per request). */
const RETRY_AFTER_MS = 1_000;
/** Most batches one flush sends (a backlog after an outage drains over a few requests, not in one waitUntil). */
const MAX_BATCHES_PER_FLUSH = 10;

/**
 * Sends decision reports to escalation off the response path. A non-allow decision goes at once; allowed
 * requests are batched per isolate and sent with the next flush, so the allow path costs one array push.
 * A batch the Queue refused goes back into the buffer and is sent again once the Queue answers.
 */
export class ReportBuffer {
  #buffer: DecisionReport[] = [];
  #oldest = 0;
  #retryAt = 0;
  #sending = false;

  /** Reports waiting now (at most MAX_HELD_REPORTS). */
  get size(): number {
    return this.#buffer.length;
  }

  /** Queues a report; returns the send to hand to `waitUntil`, or null when it stays buffered. */
  push(report: DecisionReport, urgent: boolean, queue: Queue<DecisionReport>, now: number): Promise<void> | null {
    if (this.#buffer.length === 0) this.#oldest = now;
    this.#buffer.push(report);
    if (this.#buffer.length > MAX_HELD_REPORTS) {
      const dropped = this.#buffer.splice(0, this.#buffer.length - MAX_HELD_REPORTS);
      recordFault("report", new Error(`report buffer full: ${dropped.length} oldest reports dropped`));
    }
    if (this.#sending || now < this.#retryAt) return null;
    if (!urgent && this.#buffer.length < BATCH_SIZE && now - this.#oldest < MAX_WAIT_MS) return null;
    return this.#flush(queue, now);
  }

  async #flush(queue: Queue<DecisionReport>, now: number): Promise<void> {
    this.#sending = true;
    try {
      for (let i = 0; i < MAX_BATCHES_PER_FLUSH && this.#buffer.length > 0; i++) {
        const batch = this.#buffer.splice(0, BATCH_SIZE);
        try {
          await queue.sendBatch(batch.map((body) => ({ body })));
        } catch (error) {
          // Back in front, in order, for the next attempt: reports are kept, not lost, while the Queue is down.
          this.#buffer.unshift(...batch);
          this.#retryAt = now + RETRY_AFTER_MS;
          recordFault("report", error);
          return;
        }
      }
      this.#oldest = now;
    } finally {
      this.#sending = false;
    }
  }
}
