import { createRoute, z } from "@hono/zod-openapi";
import { factsOf, storedSignals } from "../../../core/admin/policy-dry-run";
import { compilePolicy } from "../../../core/policy/compile";
import { MIN_LABELS_PER_KIND, recommend } from "../../../core/policy/recommend";
import { AppError } from "../../../adapters/http";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, json } from "../schemas";
import { db } from "../store/db";
import { readPolicy } from "../store/policy";
import { labelledDecisions, MAX_LABELLED_DECISIONS } from "../store/recommendations";
import { securedSite } from "../auth/site-scope";

const DAY_MS = 86_400_000;

const OutcomeSchema = z
  .object({
    misses: z.number().int().openapi({ description: "labelled bots the policy lets through" }),
    falseAlarms: z.number().int().openapi({ description: "labelled people the policy challenges, tarpits or blocks" }),
    lockouts: z.number().int().openapi({ description: "labelled people tarpitted or blocked (part of falseAlarms)" }),
  })
  .openapi("RecommendationOutcome");

const ChangeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("threshold"), name: z.enum(["challenge", "tarpit", "block"]), from: z.number(), to: z.number() }),
  z.object({ kind: z.literal("weight"), code: z.string(), from: z.number(), to: z.number() }),
]);

const RecommendationsSchema = z
  .object({
    days: z.number().int(),
    sampleSize: z
      .number()
      .int()
      .openapi({ description: `labelled decisions read (the most recent ${MAX_LABELLED_DECISIONS} at most)` }),
    humans: z.number().int(),
    bots: z.number().int(),
    minimumPerLabel: z
      .number()
      .int()
      .openapi({ description: `labels of each kind (bot, human) needed before anything is suggested (${MIN_LABELS_PER_KIND})` }),
    current: OutcomeSchema,
    suggestions: z.array(
      z.object({
        changes: z.array(ChangeSchema),
        changed: z.number().int().openapi({ description: "labelled decisions whose action the suggestion changes" }),
        before: OutcomeSchema,
        after: OutcomeSchema,
        policy: z.record(z.string(), z.unknown()).openapi({ description: "the active policy with the change: a draft for the dry run" }),
      }),
    ),
  })
  .openapi("PolicyRecommendations");

/** Suggested thresholds and signal weights from the last `days` of labelled traffic. */
export const recommendationRoutes = adminRouter().openapi(
  createRoute({
    method: "get",
    path: "/",
    summary:
      "Thresholds and signal weights that would have missed fewer labelled bots and alarmed fewer labelled people over the last `days` (drafts only: nothing is published)",
    ...securedSite("operator"),
    request: {
      query: z.object({
        days: z.coerce
          .number()
          .int()
          .min(1)
          .max(90)
          .default(14)
          .openapi({ description: "how many days of labelled decisions to learn from (1-90)" }),
      }),
    },
    responses: { 200: json(RecommendationsSchema, "suggestions, best first"), ...ERROR_RESPONSES },
  }),
  async (c) => {
    const { days } = c.req.valid("query");
    const site = c.get("site");
    const { document } = await readPolicy(c.env.BLOCKLIST, site);
    const active = compilePolicy(document);
    if (!active.ok) throw new AppError(409, "invalid_policy", "the active policy does not compile; replace it first");
    const since = new Date(c.get("deps").now() - days * DAY_MS);
    const rows = await db(c.env, (d) => labelledDecisions(d, since, site));
    const samples = rows.map((r) => ({ facts: factsOf(r.decision), signals: storedSignals(r.decision.reasons), label: r.label }));
    const result = recommend(active.value, document, samples);
    return c.json(
      {
        days,
        sampleSize: samples.length,
        ...result,
        current: { ...result.current },
        suggestions: result.suggestions.map((s) => ({ ...s, changes: [...s.changes] })),
      },
      200,
    );
  },
);
