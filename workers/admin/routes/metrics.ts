import { Hono } from "hono";
import { AppError } from "../../../adapters/http";
import { formatMetrics } from "../../../core/admin/metrics-text";
import { constantTimeEqual } from "../../../core/admin/totp";
import type { AdminBindings } from "../router";
import { db } from "../store/db";
import { faultTotals } from "../store/faults";
import { tarpitTotals } from "../store/tarpit";
import { metricFamilies } from "../store/metrics";

/** Prometheus text exposition at /metrics, for a scraper holding METRICS_TOKEN (`Authorization: Bearer`). */
export const metricsRoutes = new Hono<AdminBindings>().get("/", async (c) => {
  const token = c.get("config").metricsToken;
  if (token === null) throw new AppError(404, "not_found", "/metrics is off: METRICS_TOKEN is not set");
  const sent = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  if (!constantTimeEqual(sent, token)) {
    c.header("WWW-Authenticate", 'Bearer realm="metrics"');
    throw new AppError(401, "unauthenticated", "send METRICS_TOKEN as `Authorization: Bearer …`");
  }
  let body: string;
  try {
    const [faults, tarpit] = await Promise.all([faultTotals(c.env.BLOCKLIST).catch(() => ({})), tarpitTotals(c.env, 24 * 60)]);
    body = formatMetrics(await db(c.env, (d) => metricFamilies(d, faults, tarpit)));
  } catch (error) {
    console.error(JSON.stringify({ msg: "metrics: database unreachable", error: String(error) }));
    body = formatMetrics([
      {
        name: "edge_guard_admin_database_up",
        help: "1 when admin reached Postgres for this scrape.",
        type: "gauge",
        samples: [{ value: 0 }],
      },
    ]);
  }
  return c.body(body, 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
});
