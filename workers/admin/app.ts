import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { AppError, onError } from "../../adapters/http";
import { DecisionsQuerySchema, latestDecisions } from "./decisions";
import type { AdminEnv } from "./env";
import { decisionsPage } from "./page";

const query = zValidator("query", DecisionsQuerySchema, (r) => {
  if (!r.success) throw new AppError(400, "invalid_request", r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
});

async function load(env: AdminEnv, limit: number) {
  try {
    return await latestDecisions(env, limit);
  } catch (error) {
    throw new AppError(503, "database_unavailable", "the decisions database is not reachable; check DATABASE_URL", { cause: error });
  }
}

export const app = new Hono<{ Bindings: AdminEnv }>()
  .onError(onError)
  .use(secureHeaders({ contentSecurityPolicy: { defaultSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"] } }))
  .get("/", query, async (c) => c.html(decisionsPage(await load(c.env, c.req.valid("query").limit))))
  .get("/api/decisions", query, async (c) => c.json({ decisions: await load(c.env, c.req.valid("query").limit) }))
  .get("/healthz", (c) => c.json({ ok: true }))
  .notFound((c) => c.json({ error: "not_found", message: `no route for ${c.req.method} ${c.req.path}` }, 404));
