import { createRoute, z } from "@hono/zod-openapi";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, json } from "../schemas";
import { faultTotals } from "../store/faults";
import { tarpitTotals } from "../store/tarpit";
import { db } from "../store/db";
import { overview } from "../store/overview";
import { securedSite } from "../auth/site-scope";

const TopSchema = z.object({ key: z.string(), count: z.number().int(), label: z.string().nullable().optional() });
const OverviewSchema = z
  .object({
    window: z.object({ since: z.string(), until: z.string(), bucketSeconds: z.number() }),
    requestsOverTime: z.array(z.object({ t: z.string(), allow: z.number(), challenge: z.number(), tarpit: z.number(), block: z.number() })),
    topBlockedIps: z.array(TopSchema),
    topBlockedPrefixes: z.array(TopSchema),
    topBlockedAsns: z.array(TopSchema),
    topReasons: z.array(TopSchema),
    challenge: z.object({ issued: z.number(), passed: z.number(), passRate: z.number().nullable() }),
    modelVersion: z.string().nullable(),
    queueLagSeconds: z.number().nullable(),
    tarpit: z.object({ heldSeconds: z.number().nullable(), bytes: z.number().nullable() }),
    faults: z.object({ failOpen: z.number().nullable(), byKind: z.record(z.string(), z.number()) }),
    missing: z.array(z.string()).openapi({ description: "figures with no stored source yet (null above)" }),
  })
  .openapi("Overview");

/** The overview page's figures. */
export const overviewRoutes = adminRouter().openapi(
  createRoute({
    method: "get",
    path: "/",
    summary: "Overview: decisions over time by action, top blocked IPs/prefixes/ASNs, top reasons, challenge pass rate, model version",
    ...securedSite("viewer"),
    request: {
      query: z.object({
        hours: z.coerce
          .number()
          .int()
          .min(1)
          .max(24 * 31)
          .default(24),
        bucketMinutes: z.coerce
          .number()
          .int()
          .min(1)
          .max(24 * 60)
          .default(60),
      }),
    },
    responses: { 200: json(OverviewSchema, "the figures"), ...ERROR_RESPONSES },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const until = new Date(c.get("deps").now());
    const since = new Date(until.getTime() - q.hours * 3_600_000);
    const [faults, tarpit] = await Promise.all([
      faultTotals(c.env.BLOCKLIST),
      tarpitTotals(c.env, Math.ceil((until.getTime() - since.getTime()) / 60_000)),
    ]);
    return c.json(await db(c.env, (d) => overview(d, since, until, q.bucketMinutes * 60, faults, tarpit, c.get("site"))), 200);
  },
);
