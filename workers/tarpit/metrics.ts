import { addCounters, emptyCounters, isEmpty, minuteOf, type TarpitCounters } from "../../core/tarpit-metrics";
import type { TarpitEnv } from "./env";

/** The name of the one TarpitMetrics instance every isolate adds into. */
export const METRICS_INSTANCE = "global";

// Isolate memory: totals since this isolate started, and what it has not flushed yet.
const totals = emptyCounters();
let pending = emptyCounters();
let lastFlush = 0;
let flushing = false;

/** Adds to this isolate's counters. */
export function count(delta: Partial<TarpitCounters>): void {
  addCounters(totals, delta);
  addCounters(pending, delta);
}

/** What this isolate has counted since it started. */
export function isolateCounters(): TarpitCounters {
  return { ...totals };
}

/**
 * Adds the unflushed counts to the TarpitMetrics Durable Object if the last flush is `flushMs` old: one RPC per
 * isolate per interval, never per page. Null when nothing is due. A failed flush keeps its counts for the next.
 */
export function flushIfDue(env: TarpitEnv, now: number, flushMs: number): Promise<void> | null {
  if (flushing || isEmpty(pending) || now - lastFlush < flushMs) return null;
  const batch = pending;
  pending = emptyCounters();
  flushing = true;
  lastFlush = now;
  return env.TARPIT_METRICS.getByName(METRICS_INSTANCE)
    .add(minuteOf(now), batch)
    .catch((error: unknown) => {
      addCounters(pending, batch);
      count({ faults: 1 });
      console.error(JSON.stringify({ msg: "tarpit metrics flush failed", error: String(error) }));
    })
    .finally(() => {
      flushing = false;
    });
}
