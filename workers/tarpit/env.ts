import type { DbEnv } from "../../adapters/db/client";
import type { DecisionReport } from "../../core/report";
import type { TarpitVars } from "../../core/tarpit-config";
import type { HopCounter } from "../../durable-objects/hop-counter";
import type { RangeIndex } from "../../durable-objects/range-index";
import type { TarpitMetrics } from "../../durable-objects/tarpit-metrics";

/** tarpit's bindings (see workers/tarpit/wrangler.toml). DATABASE_URL is a secret; NEON_LOCAL_PROXY is local-only. */
export interface TarpitEnv extends DbEnv, Partial<Record<keyof TarpitVars, string>> {
  /** Which trained Markov corpus the maze is written from ("default" when empty). */
  readonly MARKOV_CORPUS: string;
  /** Optional salt of the page seeds, so nobody can precompute the maze off-site. */
  readonly LABYRINTH_SECRET?: string;
  readonly HOP_COUNTER: DurableObjectNamespace<HopCounter>;
  readonly TARPIT_METRICS: DurableObjectNamespace<TarpitMetrics>;
  readonly BLOCKLIST: KVNamespace;
  /** edge-guard's RangeIndex: a hop-out's prefix block goes there. */
  readonly RANGE_INDEX: DurableObjectNamespace<RangeIndex>;
  readonly REPORTS: Queue<DecisionReport>;
}
