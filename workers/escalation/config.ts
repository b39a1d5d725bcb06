import { z } from "zod";
import { parseLlmUri, type LlmEndpoint } from "../../core/llm/uri";
import type { EscalationEnv } from "./env";

const seconds = (min: number) => z.coerce.number().int().min(min);
const VarsSchema = z.object({
  BLOCK_SCORE: z.coerce.number().gt(0).lte(1),
  BLOCK_TTL_SECONDS: seconds(60),
  PREFIX_MIN_BOT_IPS: z.coerce.number().int().min(2).default(5),
  PREFIX_WINDOW_SECONDS: seconds(60).default(600),
  LLM_URI: z.string().default(""),
  LLM_API_KEY: z.string().optional(),
  LLM_SCORE_MIN: z.coerce.number().min(0).max(1).default(0.5),
  LLM_SCORE_MAX: z.coerce.number().min(0).max(1).default(0.9),
  LLM_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.8),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
  LLM_BUDGET_PER_HOUR: z.coerce.number().int().min(0).default(100),
  LLM_CACHE_SECONDS: seconds(0).default(3600),
  ALERT_WEBHOOK_URL: z.union([z.literal(""), z.url({ protocol: /^https?$/ })]).default(""),
});

/** When and how escalation asks an LLM (only when LLM_URI is set). */
export interface LlmConfig {
  readonly endpoint: LlmEndpoint;
  readonly apiKey: string;
  /** Scores in [min, max) are ambiguous enough to ask. */
  readonly scoreMin: number;
  readonly scoreMax: number;
  /** An answer below this confidence does not change the verdict. */
  readonly minConfidence: number;
  readonly timeoutMs: number;
  /** LLM calls per clock hour, across all isolates. */
  readonly budgetPerHour: number;
  /** How long an answer is reused for the same client key, ms. */
  readonly cacheMs: number;
}

/** escalation's parsed settings. */
export interface EscalationConfig {
  readonly blockScore: number;
  readonly blockTtlSeconds: number;
  readonly prefixMinBotIps: number;
  readonly prefixWindowMs: number;
  /** null: no LLM configured, verdicts come from the score alone. */
  readonly llm: LlmConfig | null;
  /** Where new blocklist entries are announced; null: nowhere. */
  readonly alertWebhookUrl: string | null;
}

/** Parses the vars; throws on a bad deploy, so the batch is retried and the error is loud, instead of guessing. */
export function escalationConfig(env: EscalationEnv): EscalationConfig {
  const parsed = VarsSchema.safeParse(env);
  if (!parsed.success) throw new Error(`escalation vars are invalid:\n${z.prettifyError(parsed.error)}`);
  const v = parsed.data;
  return {
    blockScore: v.BLOCK_SCORE,
    blockTtlSeconds: v.BLOCK_TTL_SECONDS,
    prefixMinBotIps: v.PREFIX_MIN_BOT_IPS,
    prefixWindowMs: v.PREFIX_WINDOW_SECONDS * 1000,
    llm: llmConfig(v),
    alertWebhookUrl: v.ALERT_WEBHOOK_URL === "" ? null : v.ALERT_WEBHOOK_URL,
  };
}

function llmConfig(v: z.infer<typeof VarsSchema>): LlmConfig | null {
  if (v.LLM_URI.trim() === "") return null;
  const endpoint = parseLlmUri(v.LLM_URI);
  if (!endpoint.ok) throw new Error(endpoint.error);
  if (v.LLM_SCORE_MIN >= v.LLM_SCORE_MAX) throw new Error("LLM_SCORE_MIN must be below LLM_SCORE_MAX");
  return {
    endpoint: endpoint.value,
    apiKey: v.LLM_API_KEY ?? "",
    scoreMin: v.LLM_SCORE_MIN,
    scoreMax: v.LLM_SCORE_MAX,
    minConfidence: v.LLM_MIN_CONFIDENCE,
    timeoutMs: v.LLM_TIMEOUT_MS,
    budgetPerHour: v.LLM_BUDGET_PER_HOUR,
    cacheMs: v.LLM_CACHE_SECONDS * 1000,
  };
}
