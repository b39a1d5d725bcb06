import type { DecisionReport } from "../../core/report";
import { recordFault } from "./faults";

/** Reports per Queue batch (the Queues limit is 100 messages and 256 KB). */
const BATCH_SIZE = 50;
/** Longest an allowed request's report waits in the buffer while traffic flows. */
const MAX_WAIT_MS = 2_000;

/**
 * Sends decision reports to escalation off the response path. A non-allow decision goes at once; allowed
 * requests are batched per isolate and sent with the next flush, so the allow path costs one array push.
 */
export class ReportBuffer {
  #buffer: DecisionReport[] = [];
  #oldest = 0;

  /** Queues a report; returns the send to hand to `waitUntil`, or null when it stays buffered. */
  push(report: DecisionReport, urgent: boolean, queue: Queue<DecisionReport>, now: number): Promise<void> | null {
    if (this.#buffer.length === 0) this.#oldest = now;
    this.#buffer.push(report);
    if (!urgent && this.#buffer.length < BATCH_SIZE && now - this.#oldest < MAX_WAIT_MS) return null;
    const batch = this.#buffer;
    this.#buffer = [];
    return queue.sendBatch(batch.map((body) => ({ body }))).then(
      () => undefined,
      (error: unknown) => recordFault("report", error),
    );
  }
}
