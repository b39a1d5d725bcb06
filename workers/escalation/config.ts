import { z } from "zod";
import type { EscalationEnv } from "./env";

const VarsSchema = z.object({
  BLOCK_SCORE: z.coerce.number().gt(0).lte(1),
  BLOCK_TTL_SECONDS: z.coerce.number().int().min(60),
});

/** escalation's parsed settings. */
export interface EscalationConfig {
  readonly blockScore: number;
  readonly blockTtlSeconds: number;
}

/** Parses the vars; throws on a bad deploy, so the batch is retried and the error is loud, instead of guessing. */
export function escalationConfig(env: EscalationEnv): EscalationConfig {
  const parsed = VarsSchema.safeParse(env);
  if (!parsed.success) throw new Error(`escalation vars are invalid:\n${z.prettifyError(parsed.error)}`);
  return { blockScore: parsed.data.BLOCK_SCORE, blockTtlSeconds: parsed.data.BLOCK_TTL_SECONDS };
}
