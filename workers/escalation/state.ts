import { EscalationFaults } from "./faults";
import { ModelLoader, bundledModelBytes } from "./model";
import { RecentBlocks } from "./record";

/**
 * Everything one escalation isolate keeps between batches, in one object passed explicitly: the model (loaded once),
 * the fault totals it publishes, and the IPs it blocklisted lately. Tests and the dev fault switch build their own.
 */
export interface EscalationState {
  /** Replaced only by the dev fault switch (a broken model file) and back. */
  model: ModelLoader;
  readonly faults: EscalationFaults;
  readonly recentBlocks: RecentBlocks;
}

export function createEscalationState(modelBytes: () => Uint8Array = bundledModelBytes): EscalationState {
  return { model: new ModelLoader(modelBytes), faults: new EscalationFaults(), recentBlocks: new RecentBlocks() };
}
