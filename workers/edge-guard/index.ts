import { app } from "./app";
import { refreshData } from "./data-refresh";
import type { EdgeGuardEnv } from "./env";

// A Durable Object must be exported from the main module of the Worker that hosts it.
export { ClientLedger } from "../../durable-objects/client-ledger";
export { FleetLedger } from "../../durable-objects/fleet-ledger";
export { PassLedger } from "../../durable-objects/pass-ledger";
export { RangeIndex } from "../../durable-objects/range-index";

export default {
  fetch: app.fetch,
  /** The Cron Trigger: the AI agent list, declared bots and crawler ranges every six hours. (Range entries need none: the RangeIndex publishes on change.) */
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(refreshData(env.BLOCKLIST, fetch, Date.now()));
  },
} satisfies ExportedHandler<EdgeGuardEnv>;
