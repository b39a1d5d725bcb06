import { z } from "zod";
import { fail, ok, type Result } from "../result";

/** The longest rationale kept from an LLM answer (it is stored and shown to operators). */
export const RATIONALE_MAX_CHARS = 300;

/** An LLM's opinion of one client, after parsing and validation. */
export interface LlmAnswer {
  readonly verdict: "bot" | "human" | "unsure";
  /** In [0, 1]. */
  readonly confidence: number;
  readonly rationale: string;
}

const AnswerSchema = z.object({
  verdict: z.preprocess((v) => (typeof v === "string" ? v.trim().toLowerCase() : v), z.enum(["bot", "human", "unsure"])),
  // Some models answer 0-100 despite the prompt: read 1 < c <= 100 as a percentage.
  confidence: z
    .preprocess((v) => (typeof v === "string" ? Number(v) : v), z.number().min(0).max(100))
    .transform((c) => (c > 1 ? c / 100 : c)),
  rationale: z
    .string()
    .default("")
    .transform((text) => text.replace(/\s+/g, " ").trim().slice(0, RATIONALE_MAX_CHARS)),
});

/**
 * Reads the JSON object a model was asked to answer with, tolerating a Markdown code fence or prose around it.
 * Anything else (no object, wrong fields, verdict outside bot/human/unsure) is an error: the caller skips the LLM.
 */
export function parseLlmAnswer(text: string): Result<LlmAnswer, string> {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end < start) return fail("no JSON object in the answer");
  let json: unknown;
  try {
    json = JSON.parse(text.slice(start, end + 1));
  } catch {
    return fail("the answer's JSON does not parse");
  }
  const parsed = AnswerSchema.safeParse(json);
  return parsed.success ? ok(parsed.data) : fail(`unexpected answer: ${z.prettifyError(parsed.error)}`.slice(0, 300));
}
