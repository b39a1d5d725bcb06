import { app } from "./app";
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
  fetch: app.fetch,
  /** Cron Triggers: the range snapshot every minute; the AI agent list and crawler ranges every six hours. */
  scheduled(controller, env, ctx) {
    if (controller.cron === RANGES_CRON) ctx.waitUntil(buildRangeSnapshot(env.BLOCKLIST));
    else ctx.waitUntil(refreshData(env.BLOCKLIST, fetch, Date.now()));
  },
} satisfies ExportedHandler<EdgeGuardEnv>;
