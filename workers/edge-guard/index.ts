import { edgeGuardFetch, isolateState } from "./app";
import { OPERATIONS_PATH, OperationCounter } from "./operations";
import { devFaultSwitch, withDevFaults } from "./dev-faults";
import { countRequest, edgeMetrics } from "./metrics";
import { refreshData } from "./data-refresh";
import type { DevStats } from "../../core/dev-stats";
import type { EdgeGuardEnv } from "./env";

// A Durable Object must be exported from the main module of the Worker that hosts it.
export { ClientLedger } from "../../durable-objects/client-ledger";
export { CrawlerAccount } from "../../durable-objects/crawler-account";
export { FleetLedger } from "../../durable-objects/fleet-ledger";
export { PassLedger } from "../../durable-objects/pass-ledger";
export { RangeIndex } from "../../durable-objects/range-index";

// Dev only: a deploy never wraps its bindings (DEV_CLIENT_OVERRIDES is "off" in wrangler.toml).
const operations = new OperationCounter();

export default {
  async fetch(request, rawEnv, ctx) {
    const env = withDevFaults(rawEnv);
    const now = Date.now();
    const answered = (await devFaultSwitch(request, env)) ?? edgeMetrics(request, env, isolateState(), now);
    if (answered !== null) return answered;
    countRequest(isolateState(), now);
    if (env.DEV_CLIENT_OVERRIDES !== "on") return edgeGuardFetch(request, env, ctx);
    if (request.url.includes(OPERATIONS_PATH) && new URL(request.url).pathname === OPERATIONS_PATH)
      return Response.json(devStats(operations));
    return edgeGuardFetch(request, operations.wrap(env), ctx);
  },
  /** The Cron Trigger: the AI agent list, declared bots and crawler ranges every six hours. (Range entries need none: the RangeIndex publishes on change.) */
  scheduled(_controller, rawEnv, ctx) {
    const env = withDevFaults(rawEnv);
    ctx.waitUntil(refreshData(env.BLOCKLIST, fetch, Date.now(), isolateState().faults));
  },
} satisfies ExportedHandler<EdgeGuardEnv>;

/** What the bench reads: operations on the bindings, reports sent, and the sizes of the per-isolate structures. */
function devStats(counter: OperationCounter): DevStats {
  const state = isolateState();
  return {
    operations: counter.snapshot(),
    reports: state.reports.stats(),
    counters: state.counters.size(),
    blocklistCached: state.blocklist.size,
    faults: state.faults.counts(),
  };
}
