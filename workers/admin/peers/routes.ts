import { OpenAPIHono } from "@hono/zod-openapi";
import { AppError } from "../../../adapters/http";
import type { PeersDeps, PeersHonoEnv } from "./deps";
import { managePeerRoutes } from "./manage-routes";
import { publicPeerRoutes } from "./public-routes";

function router<E extends PeersHonoEnv>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success)
        throw new AppError(
          400,
          "invalid_request",
          result.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; "),
        );
    },
  });
}

/**
 * Peering, to mount at the admin app's root (`app.route("/", peersRoutes({ state, requireRole, actor }))`): the public
 * key document, feed and push, and the operator routes under /api/peers, each guarded by the injected `requireRole`.
 */
export function peersRoutes<E extends PeersHonoEnv>(deps: PeersDeps<E>): OpenAPIHono<E> {
  const app = router<E>();
  app.route("/", publicPeerRoutes(router<E>, deps.state, deps.now ?? (() => Date.now())));
  app.route("/", managePeerRoutes(router<E>, deps));
  return app;
}
