import { createApp } from "./app";
import type { AdminEnv } from "./env";
import { syncPeers } from "./peers/sync";
import { createAdminState } from "./state";

// The isolate's state, made once here and passed down explicitly; the only module-level value admin holds.
const state = createAdminState();
const app = createApp(undefined, state);

export default {
  fetch: app.fetch,
  // Cron Trigger (wrangler.toml [triggers]): pull the configured peers' feeds.
  async scheduled(controller, env) {
    await syncPeers(env, state.safety, controller.scheduledTime);
  },
} satisfies ExportedHandler<AdminEnv>;
