import { createRoute, z } from "@hono/zod-openapi";
import { operatorLabels } from "../../../adapters/db/schema";
import { AppError } from "../../../adapters/http";
import { actorOf, principalOf } from "../auth/principal";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, IdParamsSchema, NOT_FOUND, PageQuerySchema, json, jsonBody } from "../schemas";
import { audit } from "../store/audit";
import { db } from "../store/db";
import { decisionView, getDecision, listDecisions, type DecisionFilter } from "../store/decisions";
import { LabelSchema, LabelValueInputSchema } from "./labels";
import { securedSite } from "../auth/site-scope";

const csv = (values: readonly [string, ...string[]]) =>
  z
    .string()
    .transform((s) => s.split(",").map((v) => v.trim()))
    .pipe(z.array(z.enum(values)).min(1))
    .optional();

/** The feed's filters, shared by the list and the HTML page. */
export const DecisionsQuerySchema = PageQuerySchema.extend({
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, "a cursor is the nextCursor of the previous page")
    .optional(),
  ip: z.string().max(45).optional(),
  prefix: z.string().max(50).optional(),
  action: csv(["allow", "challenge", "tarpit", "block"]).openapi({ description: "edge actions, comma-separated", type: "string" }),
  verdict: csv(["bot", "unsure", "human"]).openapi({ description: "escalation verdicts, comma-separated", type: "string" }),
  source: z.enum(["edge", "tarpit", "challenge"]).optional(),
  blocked: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional()
    .openapi({ type: "string", enum: ["true", "false"] }),
  reason: z
    .string()
    .regex(/^[a-z0-9:-]{1,64}$/)
    .optional()
    .openapi({ description: "a reason code the decision carries" }),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});

/** The query's filter part. */
export function decisionFilter(q: z.infer<typeof DecisionsQuerySchema>): DecisionFilter {
  return {
    ip: q.ip,
    prefix: q.prefix,
    action: q.action,
    verdict: q.verdict,
    source: q.source,
    blocked: q.blocked,
    reason: q.reason,
    since: q.since === undefined ? undefined : new Date(q.since),
    until: q.until === undefined ? undefined : new Date(q.until),
    beforeId: q.cursor === undefined ? undefined : Number(q.cursor),
  };
}

export const DecisionSchema = z
  .object({
    id: z.number().int(),
    reportId: z.string(),
    at: z.string(),
    source: z.string(),
    ip: z.string(),
    prefix: z.string().nullable(),
    method: z.string(),
    path: z.string(),
    userAgent: z.string(),
    edgeAction: z.string(),
    edgeScore: z.number(),
    reasons: z.unknown().openapi({ description: "Reason[]: { code, weight, detail? }" }),
    signals: z.array(z.string()).nullable(),
    cf: z.unknown(),
    score: z.number().nullable(),
    modelScore: z.number().nullable(),
    modelVersion: z.string().nullable(),
    verdict: z.string(),
    blocked: z.boolean(),
    label: z.object({ kind: z.string(), value: z.string() }).nullable(),
    llm: z.unknown(),
  })
  .openapi("Decision");

const notFound = () => new AppError(404, "not_found", "no decision with that id");

/** The live decisions feed, one decision, and labelling a decision. */
export const decisionRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "Decisions, newest first: filterable, paginated by cursor",
      ...securedSite("viewer"),
      request: { query: DecisionsQuerySchema },
      responses: {
        200: json(z.object({ decisions: z.array(DecisionSchema), nextCursor: z.string().nullable() }), "a page"),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json(await db(c.env, (d) => listDecisions(d, { ...decisionFilter(q), site: c.get("site") }, q.limit)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      summary: "One decision with its reasons, signals and scores",
      ...securedSite("viewer"),
      request: { params: IdParamsSchema },
      responses: { 200: json(DecisionSchema, "the decision"), 404: NOT_FOUND, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const row = await db(c.env, (d) => getDecision(d, c.req.valid("param").id, c.get("site")));
      if (row === null) throw notFound();
      return c.json(decisionView(row), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/label",
      summary: "Label a decision human or bot (ground truth for training, in operator_labels)",
      ...securedSite("operator"),
      request: { params: IdParamsSchema, body: jsonBody(LabelValueInputSchema) },
      responses: { 201: json(LabelSchema, "labelled"), 404: NOT_FOUND, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const actor = actorOf(principalOf(c));
      const input = c.req.valid("json");
      const label = await db(c.env, (d) =>
        d.transaction(async (tx) => {
          const row = await getDecision(tx, c.req.valid("param").id, c.get("site"));
          if (row === null) throw notFound();
          const [created] = await tx
            .insert(operatorLabels)
            .values({ ip: row.ip, reportId: row.reportId, value: input.value, note: input.note ?? null, createdBy: actor, site: row.site })
            .returning();
          if (created === undefined) throw new Error("insert returned no row");
          await audit(tx, { actor, action: "label.add", target: `decision:${row.id}`, old: null, new: created, site: row.site });
          return created;
        }),
      );
      return c.json({ ...label, at: label.at.toISOString() }, 201);
    },
  );
