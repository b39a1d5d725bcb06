import { app } from "./app";
import { actorOf, principalOf, requireRole } from "./auth/principal";
import type { AdminEnv } from "./env";
import { peersRoutes } from "./peers/routes";
import { syncPeers } from "./peers/sync";

app.route("/", peersRoutes({ requireRole, actor: (c) => actorOf(principalOf(c)) }));

export default {
  fetch: app.fetch,
  // Cron Trigger (wrangler.toml [triggers]): pull the configured peers' feeds.
  async scheduled(controller, env) {
    await syncPeers(env, controller.scheduledTime);
  },
} satisfies ExportedHandler<AdminEnv>;
