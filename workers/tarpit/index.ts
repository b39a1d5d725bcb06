import { WorkerEntrypoint } from "cloudflare:workers";
import { addCounters, emptyCounters, summarise, type TarpitCounters, type TarpitMetricsView } from "../../core/tarpit-metrics";
import type { MinuteCounters } from "../../durable-objects/tarpit-metrics";
import type { TarpitStats } from "./chain-source";
import type { TarpitEnv } from "./env";
import { METRICS_INSTANCE } from "./metrics";
import { serveTarpit } from "./serve";
import { createTarpitState, type TarpitState } from "./state";

// The isolate's one state object, made on first use and handed to every invocation.
let isolate: TarpitState | null = null;
const tarpitState = (): TarpitState => (isolate ??= createTarpitState());

// Durable Objects must be exported from the main module of the Worker that hosts them.
export { HopCounter } from "../../durable-objects/hop-counter";
export { TarpitMetrics } from "../../durable-objects/tarpit-metrics";

/** This isolate's chain and counters, as `stats()` returns them. */
export interface IsolateStats extends TarpitStats {
  readonly counters: TarpitCounters;
}

/**
 * The Markov labyrinth. edge-guard forwards a trapped request over a service binding; every path answers 200
 * with a plausible page (the same bytes for the same path) whose links lead deeper into the maze, sent slowly.
 * If Postgres is unreachable it writes from a bundled chain: a tarpit that answers 500 would tip the scraper off.
 */
export default class Tarpit extends WorkerEntrypoint<TarpitEnv> {
  override async fetch(request: Request): Promise<Response> {
    return serveTarpit(tarpitState(), this.env, (promise) => this.ctx.waitUntil(promise), request);
  }

  /** Where this isolate's chain came from, how often Postgres failed it, and what this isolate counted. */
  async stats(): Promise<IsolateStats> {
    const state = tarpitState();
    return { ...state.chains.stats(), counters: state.meter.counters() };
  }

  /** The counters of every isolate over the last `minutes` minutes, as flushed to the TarpitMetrics object. */
  async metrics(minutes = 60): Promise<TarpitMetricsView> {
    const since = Date.now() - Math.min(Math.max(minutes, 1), 14 * 24 * 60) * 60_000;
    const rows: MinuteCounters[] = await this.env.TARPIT_METRICS.getByName(METRICS_INSTANCE).read(since);
    const totals = rows.reduce((sum, row) => addCounters(sum, row.counters), emptyCounters());
    return {
      since: new Date(since).toISOString(),
      totals: summarise(totals),
      minutes: rows.map((row) => ({ minute: new Date(row.minute).toISOString(), ...row.counters })),
    };
  }
}
