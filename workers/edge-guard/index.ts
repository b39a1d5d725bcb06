import { app } from "./app";
import { refreshData } from "./data-refresh";
import type { EdgeGuardEnv } from "./env";

// A Durable Object must be exported from the main module of the Worker that hosts it.
export { ClientLedger } from "../../durable-objects/client-ledger";
export { RangeIndex } from "../../durable-objects/range-index";

export default {
  fetch: app.fetch,
  /** Cron Trigger: refresh the AI agent list and the verified crawlers' IP ranges into KV. */
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(refreshData(env.BLOCKLIST, fetch, Date.now()));
  },
} satisfies ExportedHandler<EdgeGuardEnv>;
