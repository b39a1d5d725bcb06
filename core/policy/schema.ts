import { z } from "zod";
import { PayPerCrawlSchema } from "../pay-per-crawl";
import { FACT_HEADERS } from "../request-facts";
import { isPluginRuleCode, isReasonCode } from "../rules/registry";
import { WebBotAuthPolicySchema } from "../web-bot-auth/trust";
import { regexHazard } from "./regex-safety";
import { ContentSignalsSchema } from "../content-signals";

/**
 * A regular expression source, checked when the policy is loaded (never per request): it must compile, and it must
 * not be able to backtrack catastrophically (core/policy/regex-safety.ts says why, in the issue's message).
 */
const RegexSource = z
  .string()
  .min(1)
  .max(500)
  .superRefine((source, ctx) => {
    try {
      new RegExp(source, "i");
    } catch {
      ctx.addIssue({ code: "custom", message: "not a valid regular expression" });
      return;
    }
    const hazard = regexHazard(source);
    if (hazard !== null) ctx.addIssue({ code: "custom", message: `unsafe regular expression: ${hazard}` });
  });

/** Header name → regex. The edge copies only FACT_HEADERS into a request's facts: a rule on another header is refused. */
const HeaderRules = z
  .record(z.string().regex(/^[a-z0-9-]+$/, "header names are lower-case"), RegexSource.or(z.literal("")))
  .superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (!FACT_HEADERS.includes(name)) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `"${name}" is not read by the edge; header rules can use: ${FACT_HEADERS.join(", ")} (and userAgent for user-agent)`,
        });
      }
    }
  });

const unknownSignal = (code: unknown): string => `unknown signal code ${JSON.stringify(code)}: the codes are listed in GET /api/signals`;

/** A computed signal's code (core/signals/registry.ts) or a plugin rule's (`rule:<name>`, rules/): a typo would otherwise never match. */
const SignalCode = z.string().refine((code): boolean => isReasonCode(code), { error: (issue) => unknownSignal(issue.input) });

/** What a rule looks at. Every condition given must hold (AND); list conditions match any entry (OR). */
export const MatchSchema = z
  .strictObject({
    userAgent: RegexSource.optional(),
    path: RegexSource.optional(),
    method: z
      .array(z.string().regex(/^[A-Z]+$/, "methods are upper-case, e.g. GET"))
      .min(1)
      .optional(),
    /** Header name (lower-case) → regex over its value; an absent header is matched as the empty string. */
    headers: HeaderRules.optional(),
    /** IP addresses or CIDRs, IPv4 or IPv6. */
    ip: z.array(z.string().min(2).max(50)).min(1).optional(),
    asn: z.array(z.int().nonnegative()).min(1).optional(),
    /** ISO 3166 alpha-2 country codes as Cloudflare reports them (T1 is Tor). */
    country: z
      .array(z.string().regex(/^[A-Z][A-Z0-9]$/, "two upper-case letters, e.g. NL (T1 = Tor)"))
      .min(1)
      .optional(),
    /** Computed signal codes (e.g. `ua-ai-crawler`, `verified-crawler`, `hdr-headless`); any of them present. */
    signal: z.array(SignalCode).min(1).optional(),
  })
  .refine((m) => Object.keys(m).length > 0, "a match needs at least one condition");

export const RuleActionSchema = z.enum(["allow", "deny", "challenge", "tarpit", "weigh"]);

export const RuleSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9-]+$/, "rule names are lower-case words joined by '-'")
      // Both would give the reason code rule:<name>.
      .refine((name) => !isPluginRuleCode(`rule:${name}`), {
        error: (issue) => `${JSON.stringify(issue.input)} is a plugin rule's name (rules/); choose another`,
      }),
    description: z.string().max(300).optional(),
    match: MatchSchema,
    action: RuleActionSchema,
    /** For `weigh`: added to the request's score (positive: more bot-like). */
    weight: z.int().min(-1000).max(1000).optional(),
  })
  .refine((r) => (r.action === "weigh") === (r.weight !== undefined), {
    error: "`weight` is required for action weigh and only allowed there",
    path: ["weight"],
  });

export const ThresholdsSchema = z
  .strictObject({ challenge: z.int(), tarpit: z.int(), block: z.int() })
  .refine((t) => t.challenge <= t.tarpit && t.tarpit <= t.block, "thresholds must rise: challenge ≤ tarpit ≤ block");

export const PresetNameSchema = z.enum(["permissive", "moderate", "aggressive"]);

/** A policy document as an operator writes it (JSON). */
export const PolicySchema = z
  .strictObject({
    version: z.literal(1),
    /** Named preset the policy builds on: its rules run after the policy's own, its thresholds are defaults. */
    preset: PresetNameSchema.default("moderate"),
    /** observe: decide and record everything, enforce nothing. */
    mode: z.enum(["enforce", "observe"]).default("enforce"),
    thresholds: ThresholdsSchema.optional(),
    /** Overrides the default weight of computed signals, by code. */
    signalWeights: z
      .record(z.string(), z.int().min(-1000).max(1000))
      .superRefine((weights, ctx) => {
        // Checked here, not as the record's key schema, whose issue would only say "Invalid key in record".
        for (const code of Object.keys(weights)) {
          if (!isReasonCode(code)) ctx.addIssue({ code: "custom", path: [code], message: unknownSignal(code) });
        }
      })
      .default({}),
    rules: z.array(RuleSchema).max(500).default([]),
    /** Which Web Bot Auth signers are welcome; absent: the bundled list only (core/web-bot-auth/trust.ts). */
    webBotAuth: WebBotAuthPolicySchema.optional(),
    /** HTTP 402 pay per crawl: prices for crawlers the `webBotAuth` trust identifies (core/pay-per-crawl.ts). */
    payPerCrawl: PayPerCrawlSchema.optional(),
    /** The site's Content Signals in the managed robots.txt (core/content-signals.ts); absent: edge-guard's defaults. */
    contentSignals: ContentSignalsSchema.optional(),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.rules.forEach((rule, i) => {
      if (seen.has(rule.name)) ctx.addIssue({ code: "custom", message: `duplicate rule name "${rule.name}"`, path: ["rules", i, "name"] });
      seen.add(rule.name);
    });
  });

export type Policy = z.infer<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;
export type Rule = z.infer<typeof RuleSchema>;
export type Thresholds = z.infer<typeof ThresholdsSchema>;
export type PresetName = z.infer<typeof PresetNameSchema>;
