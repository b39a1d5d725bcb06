import { app, isolateState } from "./app";
import { devFaultSwitch, withDevFaults } from "./dev-faults";
import { countRequest, edgeMetrics } from "./metrics";
import { refreshData } from "./data-refresh";
import { buildRangeSnapshot } from "./range-snapshot";

/** The Cron Trigger (wrangler.toml) that rebuilds the range snapshot. */
const RANGES_CRON = "* * * * *";
import type { EdgeGuardEnv } from "./env";

// A Durable Object must be exported from the main module of the Worker that hosts it.
export { ClientLedger } from "../../durable-objects/client-ledger";
export { FleetLedger } from "../../durable-objects/fleet-ledger";
export { PassLedger } from "../../durable-objects/pass-ledger";

export default {
  async fetch(request, rawEnv, ctx) {
    const env = withDevFaults(rawEnv);
    const now = Date.now();
    const answered = (await devFaultSwitch(request, env)) ?? edgeMetrics(request, env, isolateState(), now);
    if (answered !== null) return answered;
    countRequest(now);
    return app.fetch(request, env, ctx);
  },
  /** Cron Triggers: the range snapshot every minute; the AI agent list and crawler ranges every six hours. */
  scheduled(controller, rawEnv, ctx) {
    const env = withDevFaults(rawEnv);
    if (controller.cron === RANGES_CRON) ctx.waitUntil(buildRangeSnapshot(env.BLOCKLIST));
    else ctx.waitUntil(refreshData(env.BLOCKLIST, fetch, Date.now()));
  },
} satisfies ExportedHandler<EdgeGuardEnv>;
