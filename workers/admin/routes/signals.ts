import { createRoute, z } from "@hono/zod-openapi";
import { PLUGIN_RULES } from "../../../core/rules/registry";
import { SIGNAL_CODES, SIGNALS } from "../../../core/signals/registry";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, json } from "../schemas";
import { secured } from "./secured";

const SignalSchema = z
  .object({
    code: z.string().openapi({ example: "ua-ai-crawler" }),
    weight: z.number().int().openapi({ description: "default weight; the policy's `signalWeights` may override it" }),
    family: z.string(),
    description: z.string(),
    feature: z
      .string()
      .nullable()
      .openapi({ description: "the model feature that reads it (null: only through edge_score, or edge_context for a context signal)" }),
    context: z.boolean(),
    fleetEvidence: z.boolean(),
  })
  .openapi("Signal");

/** Every signal the edge computes, plugin rules included: the codes a policy's rules and `signalWeights` may name. */
const SIGNAL_LIST: z.infer<typeof SignalSchema>[] = SIGNAL_CODES.map((code): z.infer<typeof SignalSchema> => {
  const s = SIGNALS[code];
  return {
    code,
    weight: s.weight,
    family: s.family,
    description: s.description,
    feature: s.feature,
    context: "context" in s && s.context === true,
    fleetEvidence: "fleetEvidence" in s && s.fleetEvidence === true,
  };
}).concat(
  // The operator's plugin rules (rules/): family "plugin", read by the model only through edge_score.
  PLUGIN_RULES.map((r) => ({
    code: r.code,
    weight: r.weight,
    family: "plugin",
    description: r.description,
    feature: null,
    context: false,
    fleetEvidence: false,
  })),
);

export const signalRoutes = adminRouter().openapi(
  createRoute({
    method: "get",
    path: "/",
    summary: "The signals the edge computes, with default weights and descriptions (what a policy may name)",
    ...secured("viewer"),
    responses: { 200: json(z.object({ signals: z.array(SignalSchema) }), "every signal"), ...ERROR_RESPONSES },
  }),
  (c) => c.json({ signals: SIGNAL_LIST }, 200),
);
