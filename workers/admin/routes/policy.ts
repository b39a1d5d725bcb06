import { createRoute, z } from "@hono/zod-openapi";
import { dryRunPolicy } from "../../../core/admin/policy-dry-run";
import { policyIssues } from "../../../core/admin/policy-issues";
import { modeView } from "../../../core/mode";
import { compilePolicy, type CompiledPolicy } from "../../../core/policy/compile";
import { AppError } from "../../../adapters/http";
import { actorOf, principalOf } from "../auth/principal";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, json, jsonBody } from "../schemas";
import { db } from "../store/db";
import { readEdgeModeVar } from "../store/edge-mode";
import { policyHistory, readPolicy, recentDecisions, writePolicy } from "../store/policy";
import { secured } from "./secured";
import { securedSite } from "../auth/site-scope";

const IssueSchema = z.object({ path: z.string().openapi({ example: "rules[0].match.userAgent" }), message: z.string() });
const InvalidPolicySchema = z
  .object({ error: z.literal("invalid_policy"), message: z.string(), issues: z.array(IssueSchema) })
  .openapi("InvalidPolicy");
const PolicyDocument = z.unknown().openapi({ description: "a policy document (core/policy/schema.ts PolicySchema)" });

const ModeEnum = z.enum(["enforce", "observe"]);
const ModeViewSchema = z
  .object({
    inForce: ModeEnum.nullable().openapi({
      description: "the mode the edge applies; null when the stored policy does not compile and no MODE var overrides it",
    }),
    source: z.enum(["var", "policy", "unknown"]).openapi({
      description:
        "var: edge-guard's MODE var wins; policy: MODE is empty, the policy decides; unknown: no edge has reported its MODE var yet",
    }),
    modeVar: z
      .string()
      .nullable()
      .openapi({ description: "edge-guard's MODE var as its isolates last reported it (empty: the policy decides)" }),
    policyMode: ModeEnum.nullable(),
    reason: z.string().openapi({
      example:
        'MODE = "enforce" in edge-guard\'s wrangler.toml overrides the policy\'s "observe"; empty MODE and redeploy to let the policy decide',
    }),
    reportedAt: z.number().int().nullable().openapi({ description: "when the edge first reported this MODE var (epoch ms)" }),
  })
  .openapi("ModeInForce");

const PolicyViewSchema = z
  .object({
    policy: PolicyDocument,
    source: z.enum(["kv", "default"]),
    compiled: z
      .object({
        mode: z.enum(["enforce", "observe"]),
        preset: z.string(),
        thresholds: z.object({ challenge: z.number(), tarpit: z.number(), block: z.number() }),
        rules: z.array(z.object({ name: z.string(), action: z.string(), weight: z.number(), origin: z.enum(["policy", "preset"]) })),
      })
      .nullable()
      .openapi({ description: "null if the stored policy no longer compiles (the edge keeps its last good one)" }),
    mode: ModeViewSchema,
  })
  .openapi("PolicyView");

const ACTIONS = { allow: 0, challenge: 0, tarpit: 0, block: 0 };
const CountsSchema = z
  .object({ allow: z.number(), challenge: z.number(), tarpit: z.number(), block: z.number() })
  .openapi({ example: ACTIONS });
const DryRunSchema = z
  .object({
    evaluated: z.number().int(),
    before: CountsSchema,
    after: CountsSchema,
    changed: z.number().int(),
    transitions: z.record(z.string(), z.number()),
    samples: z.array(
      z.object({
        id: z.number(),
        at: z.number(),
        ip: z.string(),
        path: z.string(),
        userAgent: z.string(),
        before: z.string(),
        after: z.string(),
        scoreBefore: z.number(),
        scoreAfter: z.number(),
        decidedByAfter: z.string().nullable(),
      }),
    ),
  })
  .openapi("PolicyDryRun");

function summary(p: CompiledPolicy) {
  return {
    mode: p.mode,
    preset: p.preset,
    thresholds: p.thresholds,
    rules: p.rules.map((r) => ({ name: r.name, action: r.action, weight: r.weight, origin: r.origin })),
  };
}

function invalid(error: string) {
  return { error: "invalid_policy" as const, message: error, issues: policyIssues(error) };
}

async function current(ns: KVNamespace, site: string) {
  const [{ document, source }, edge] = await Promise.all([readPolicy(ns, site), readEdgeModeVar(ns)]);
  const compiled = compilePolicy(document);
  return {
    policy: document,
    source,
    compiled: compiled.ok ? summary(compiled.value) : null,
    mode: modeView(edge, compiled.ok ? compiled.value.mode : null),
  };
}

/** View, validate, replace, switch mode, dry-run and history of the edge's policy. */
export const policyRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "The active policy",
      ...securedSite("viewer"),
      responses: { 200: json(PolicyViewSchema, "the policy"), ...ERROR_RESPONSES },
    }),
    async (c) => c.json(await current(c.env.BLOCKLIST, c.get("site")), 200),
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/",
      summary: "Replace the active policy; a policy that does not compile is refused with each problem's field path",
      ...securedSite("operator"),
      request: { body: jsonBody(z.object({ policy: PolicyDocument, note: z.string().max(500).optional() })) },
      responses: { 200: json(PolicyViewSchema, "now active"), 422: json(InvalidPolicySchema, "`invalid_policy`"), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const { policy, note } = c.req.valid("json");
      const compiled = compilePolicy(policy);
      if (!compiled.ok) return c.json(invalid(compiled.error), 422);
      await writePolicy(c.env, actorOf(principalOf(c)), "policy.update", policy, note ?? null, c.get("site"));
      return c.json(await current(c.env.BLOCKLIST, c.get("site")), 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/mode",
      summary:
        "Switch the active policy between observe and enforce (an explicit MODE var on edge-guard still wins: see `mode` in the answer)",
      ...securedSite("operator"),
      request: { body: jsonBody(z.object({ mode: z.enum(["observe", "enforce"]) })) },
      responses: { 200: json(PolicyViewSchema, "now active"), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const { document } = await readPolicy(c.env.BLOCKLIST, c.get("site"));
      if (typeof document !== "object" || document === null || Array.isArray(document))
        throw new AppError(409, "invalid_policy", "the stored policy is not an object; replace it first");
      const next = { ...document, mode: c.req.valid("json").mode };
      const compiled = compilePolicy(next);
      if (!compiled.ok)
        throw new AppError(409, "invalid_policy", `the stored policy does not compile; replace it first:\n${compiled.error}`);
      await writePolicy(c.env, actorOf(principalOf(c)), "policy.mode", next, null, c.get("site"));
      return c.json(await current(c.env.BLOCKLIST, c.get("site")), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/validate",
      summary: "Check a candidate policy without activating it",
      ...secured("viewer"),
      request: { body: jsonBody(z.object({ policy: PolicyDocument })) },
      responses: { 200: json(z.object({ ok: z.boolean(), issues: z.array(IssueSchema) }), "the verdict"), ...ERROR_RESPONSES },
    }),
    (c) => {
      const compiled = compilePolicy(c.req.valid("json").policy);
      return c.json({ ok: compiled.ok, issues: compiled.ok ? [] : policyIssues(compiled.error) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/dry-run",
      summary: "What a candidate policy would have done to recent decisions, next to the active one",
      ...securedSite("viewer"),
      request: {
        body: jsonBody(
          z.object({
            policy: PolicyDocument,
            limit: z.int().min(1).max(5000).default(1000).openapi({ description: "most recent decisions to re-evaluate" }),
            since: z.iso.datetime({ offset: true }).optional(),
          }),
        ),
      },
      responses: {
        200: json(DryRunSchema, "counts before and after, and changed samples"),
        422: json(InvalidPolicySchema, "`invalid_policy`"),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const candidate = compilePolicy(input.policy);
      if (!candidate.ok) return c.json(invalid(candidate.error), 422);
      const active = compilePolicy((await readPolicy(c.env.BLOCKLIST, c.get("site"))).document);
      if (!active.ok) throw new AppError(409, "invalid_policy", "the active policy does not compile; nothing to compare with");
      const rows = await db(c.env, (d) =>
        recentDecisions(d, input.limit, input.since === undefined ? null : new Date(input.since), c.get("site")),
      );
      const result = dryRunPolicy(active.value, candidate.value, rows);
      return c.json({ ...result, transitions: { ...result.transitions }, samples: [...result.samples] }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/history",
      summary: "Policies activated through admin, newest first",
      ...securedSite("viewer"),
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }) },
      responses: {
        200: json(
          z.object({
            versions: z.array(
              z.object({ id: z.number(), at: z.string(), actor: z.string(), policy: z.unknown(), note: z.string().nullable() }),
            ),
          }),
          "history",
        ),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const rows = await db(c.env, (d) => policyHistory(d, c.req.valid("query").limit, c.get("site")));
      return c.json({ versions: rows.map((r) => ({ ...r, at: r.at.toISOString() })) }, 200);
    },
  );
