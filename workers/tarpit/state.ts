import { ChainSource } from "./chain-source";
import { TarpitMeter } from "./metrics";

/**
 * Everything one tarpit isolate keeps between requests, in one object passed explicitly: its Markov chains, its
 * counters (flushed to TarpitMetrics at the end of each invocation) and how many slow streams it holds now.
 */
export interface TarpitState {
  readonly chains: ChainSource;
  readonly meter: TarpitMeter;
  readonly streams: { slow: number };
}

export function createTarpitState(): TarpitState {
  return { chains: new ChainSource(), meter: new TarpitMeter(), streams: { slow: 0 } };
}
