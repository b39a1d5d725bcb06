import type { BlocklistBindings } from "../../../adapters/blocklist-store";
import type { SafetyContext } from "../../../core/admin/safety";
import { loadSafetyContext } from "../store/safety";

/**
 * What every peer entry is checked against, as an operator's block is (one loader for both): reserved ranges
 * (documentation ranges too, unless dev mode), the allow-list (from the RangeIndex), verified crawlers' ranges.
 */
export async function loadPeerSafety(env: BlocklistBindings, devMode: boolean): Promise<SafetyContext> {
  return loadSafetyContext(env, devMode);
}
