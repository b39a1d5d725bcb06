import type { OpenAPIHono } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import { remoteAccessKeys } from "./auth/access";
import { authenticate } from "./auth/authenticate";
import { CSRF_HEADER } from "./auth/csrf";
import { actorOf, principalOf, requireRole } from "./auth/principal";
import { SESSION_COOKIE } from "./auth/session";
import { adminConfig } from "./config";
import { adminOnError } from "./errors";
import { accountRoutes } from "./routes/accounts";
import { allowlistRoutes } from "./routes/allowlist";
import { auditRoutes } from "./routes/audit";
import { authRoutes } from "./routes/auth";
import { blocklistRoutes } from "./routes/blocklist";
import { blocklistImportRoutes } from "./routes/blocklist-import";
import { decisionRoutes } from "./routes/decisions";
import { labelRoutes } from "./routes/labels";
import { ledgerRoutes } from "./routes/ledger";
import { metricsRoutes } from "./routes/metrics";
import { overviewRoutes } from "./routes/overview";
import { PAGE_PATHS, pageRoutes } from "./routes/pages";
import { registerRoutes } from "./routes/register";
import { paymentRoutes } from "./routes/payments";
import { policyRoutes } from "./routes/policy";
import { recommendationRoutes } from "./routes/recommendations";
import { signalRoutes } from "./routes/signals";
import { siteRoutes } from "./routes/sites";
import { tokenRoutes } from "./routes/tokens";
import { userRoutes } from "./routes/users";
import { peersRoutes } from "./peers/routes";
import { SECURITY } from "./routes/secured";
import { adminRouter, type AdminBindings, type AdminDeps } from "./router";
import { createAdminState, type AdminState } from "./state";
import { DEFAULT_SITE_ID } from "../../core/sites";

/** Production dependencies: Access keys from the team's JWKS URL (sets kept in `state`), the real clock. */
export function productionDeps(state: AdminState): AdminDeps {
  return { accessKeys: remoteAccessKeys(state.accessKeySets), now: () => Date.now() };
}

const security = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    styleSrc: ["'self'"],
    scriptSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: "DENY",
  referrerPolicy: "no-referrer",
  crossOriginOpenerPolicy: "same-origin",
  permissionsPolicy: { camera: false, microphone: false, geolocation: false, payment: false, usb: false, fullscreen: ["self"] },
});

/**
 * The admin Worker: dashboard pages, the REST API under /api (OpenAPI 3.1 at /api/openapi.json), peering, and
 * /metrics. Every request of this app shares `state` (one per isolate: the Worker entry makes it).
 */
export function createApp(given?: AdminDeps, state: AdminState = createAdminState()): OpenAPIHono<AdminBindings> {
  const deps = given ?? productionDeps(state);
  const app = adminRouter();
  app.onError(adminOnError);
  app.notFound((c) => c.json({ error: "not_found", message: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.use("*", security, async (c, next) => {
    c.set("config", adminConfig(c.env, state.configs));
    c.set("deps", deps);
    c.set("state", state);
    c.set("principal", null);
    c.set("site", DEFAULT_SITE_ID);
    await next();
    // Admin answers are per-user and change with every edit: never cache them (the versioned /ui/ assets set their own).
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });
  app.use(
    "/api/*",
    cors({
      origin: (origin, c) => (adminConfig(c.env, state.configs).corsOrigins.includes(origin) ? origin : null),
      credentials: true,
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
      allowHeaders: ["Content-Type", "Authorization", CSRF_HEADER],
      maxAge: 600,
    }),
  );
  app.use("/api/*", authenticate());
  for (const path of PAGE_PATHS) app.use(path, authenticate());
  app.use("/logout", authenticate());

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.route("/api/auth", authRoutes);
  app.route("/api/overview", overviewRoutes);
  app.route("/api/decisions", decisionRoutes);
  app.route("/api/labels", labelRoutes);
  app.route("/api/blocklist", blocklistImportRoutes);
  app.route("/api/blocklist", blocklistRoutes);
  app.route("/api/allowlist", allowlistRoutes);
  app.route("/api/policy/recommendations", recommendationRoutes);
  app.route("/api/policy", policyRoutes);
  app.route("/api/audit", auditRoutes);
  app.route("/api/signals", signalRoutes);
  app.route("/api/users", userRoutes);
  app.route("/api/tokens", tokenRoutes);
  app.route("/api/accounts", registerRoutes);
  app.route("/api/accounts", accountRoutes);
  app.route("/api/ledger", ledgerRoutes);
  app.route("/api/payments", paymentRoutes);
  app.route("/api/sites", siteRoutes);
  app.route("/metrics", metricsRoutes);
  app.route("/", pageRoutes);
  app.route(
    "/",
    peersRoutes({ state: state.peers, requireRole, actor: (c) => actorOf(principalOf(c)), now: deps.now, security: SECURITY }),
  );

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerToken", {
    type: "http",
    scheme: "bearer",
    description: "an API token (POST /api/tokens)",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "sessionCookie", {
    type: "apiKey",
    in: "cookie",
    name: SESSION_COOKIE,
    description: `built-in login; changes also need the ${CSRF_HEADER} header`,
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "cloudflareAccess", {
    type: "apiKey",
    in: "header",
    name: "Cf-Access-Jwt-Assertion",
  });
  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "edge-guard admin API",
      version: "1.0.0",
      description:
        "Errors are `{ error, message }` with a stable `error` code. Lists take `limit` and `cursor` and answer `nextCursor`. Each operation's `x-required-role` is the least role it needs.",
    },
  });
  return app;
}
