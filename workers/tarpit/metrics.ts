import { addCounters, emptyCounters, isEmpty, minuteOf, type TarpitCounters } from "../../core/tarpit-metrics";
import type { TarpitEnv } from "./env";

/** The name of the one TarpitMetrics instance every isolate adds into. */
export const METRICS_INSTANCE = "global";

/**
 * This isolate's tarpit counters: totals since it started (for `stats()`), and what the TarpitMetrics object has
 * not been told yet. Every invocation ends with `flush` in its waitUntil (a slow stream's at the stream's end), so
 * nothing counted waits in isolate memory for a later request that may never come. At most one RPC is in flight
 * per isolate: counts that arrive meanwhile ride in the next one, chained inside the same waitUntil.
 */
export class TarpitMeter {
  readonly totals = emptyCounters();
  #pending = emptyCounters();
  #inFlight: Promise<void> | null = null;

  /** Adds to this isolate's counters. */
  count(delta: Partial<TarpitCounters>): void {
    addCounters(this.totals, delta);
    addCounters(this.#pending, delta);
  }

  /** What this isolate has counted since it started. */
  counters(): TarpitCounters {
    return { ...this.totals };
  }

  /** Resolves once everything counted before the call reached the TarpitMetrics object (or failed and was kept). */
  async flush(env: TarpitEnv): Promise<void> {
    while (this.#inFlight !== null) await this.#inFlight;
    if (isEmpty(this.#pending)) return;
    const batch = this.#pending;
    this.#pending = emptyCounters();
    this.#inFlight = env.TARPIT_METRICS.getByName(METRICS_INSTANCE)
      .add(minuteOf(Date.now()), batch)
      .catch((error: unknown) => {
        // Kept for the next invocation's flush; the fault itself is counted too.
        addCounters(this.#pending, batch);
        this.count({ faults: 1 });
        console.error(JSON.stringify({ msg: "tarpit metrics flush failed", error: String(error) }));
      })
      .finally(() => {
        this.#inFlight = null;
      });
    await this.#inFlight;
  }
}
