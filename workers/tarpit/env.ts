import type { DbEnv } from "../../adapters/db/client";
import type { DecisionReport } from "../../core/report";
import type { TarpitVars } from "../../core/tarpit-config";
import type { HopCounter } from "../../durable-objects/hop-counter";
import type { RangeIndex } from "../../durable-objects/range-index";
import type { TarpitMetrics } from "../../durable-objects/tarpit-metrics";

/** What the tarpit reads besides its wrangler.toml: secrets. */
export interface TarpitSecrets {
  /** A Neon (or any Postgres) connection string. */
  readonly DATABASE_URL?: string;
  /** Optional salt of the page seeds, so nobody can precompute the maze off-site. */
  readonly LABYRINTH_SECRET?: string;
}

/**
 * tarpit's bindings (workers/tarpit/wrangler.toml; env-check.ts holds this to `wrangler types`). NEON_LOCAL_PROXY is
 * local-only. The pacing and hop vars are validated by core/tarpit-config.ts.
 */
export interface TarpitEnv extends DbEnv, TarpitSecrets, Record<keyof TarpitVars, string> {
  /** Which trained Markov corpus the maze is written from ("default" when empty). */
  readonly MARKOV_CORPUS: string;
  readonly HOP_COUNTER: DurableObjectNamespace<HopCounter>;
  readonly TARPIT_METRICS: DurableObjectNamespace<TarpitMetrics>;
  readonly BLOCKLIST: KVNamespace;
  /** edge-guard's RangeIndex: a hop-out's prefix block goes there. */
  readonly RANGE_INDEX: DurableObjectNamespace<RangeIndex>;
  readonly REPORTS: Queue<DecisionReport>;
}
