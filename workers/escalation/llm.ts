import { z } from "zod";
import { parseLlmAnswer, type LlmAnswer } from "../../core/llm/answer";
import type { LlmPrompt } from "../../core/llm/prompt";
import type { HttpLlmEndpoint, LlmEndpoint } from "../../core/llm/uri";
import { fail, ok, type Result } from "../../core/result";
import type { WorkersAi } from "./env";

/** Why an LLM call gave no usable answer. All of them mean "skip the LLM", never "fail the report". */
export interface LlmFailure {
  readonly outcome: "timeout" | "error" | "unparseable";
  readonly detail: string;
}

/** How to reach the model. */
export interface LlmCallOptions {
  readonly apiKey: string;
  readonly timeoutMs: number;
  /** The Workers AI binding, for `workers-ai://` endpoints. */
  readonly ai?: WorkersAi;
}

/** The Anthropic API version these request and response shapes follow. https://docs.anthropic.com/en/api/versioning */
const ANTHROPIC_VERSION = "2023-06-01";

const ChatCompletionSchema = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1) });
const AnthropicMessageSchema = z.object({ content: z.array(z.object({ type: z.string(), text: z.string().optional() })) });
const WorkersAiSchema = z.object({ response: z.union([z.string(), z.record(z.string(), z.unknown())]) });

/**
 * Asks the configured model about one client: one request, bounded by `timeoutMs` (body included). Never throws:
 * a timeout, an HTTP or network error, or an answer that does not parse comes back as a failure.
 */
export async function askLlm(endpoint: LlmEndpoint, prompt: LlmPrompt, options: LlmCallOptions): Promise<Result<LlmAnswer, LlmFailure>> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const text =
      endpoint.provider === "workers-ai"
        ? await runWorkersAi(endpoint.model, endpoint.maxTokens, prompt, options, signal)
        : await callHttp(endpoint, prompt, options.apiKey, signal);
    if (!text.ok) return text;
    const answer = parseLlmAnswer(text.value);
    return answer.ok ? answer : fail({ outcome: "unparseable", detail: answer.error });
  } catch (error) {
    if (signal.aborted) return fail({ outcome: "timeout", detail: `no answer within ${options.timeoutMs} ms` });
    return fail({ outcome: "error", detail: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : "unknown error" });
  }
}

async function callHttp(
  endpoint: HttpLlmEndpoint,
  prompt: LlmPrompt,
  apiKey: string,
  signal: AbortSignal,
): Promise<Result<string, LlmFailure>> {
  const anthropic = endpoint.provider === "anthropic";
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (anthropic) Object.assign(headers, { "anthropic-version": ANTHROPIC_VERSION }, apiKey === "" ? {} : { "x-api-key": apiKey });
  else if (apiKey !== "") headers["authorization"] = `Bearer ${apiKey}`;
  const body = anthropic
    ? {
        model: endpoint.model,
        max_tokens: endpoint.maxTokens,
        temperature: 0,
        system: prompt.system,
        messages: [{ role: "user", content: prompt.user }],
      }
    : {
        model: endpoint.model,
        max_tokens: endpoint.maxTokens,
        temperature: 0,
        messages: [
          { role: "system", content: prompt.system },
          { role: "user", content: prompt.user },
        ],
      };
  const response = await fetch(endpoint.url, { method: "POST", headers, body: JSON.stringify(body), signal });
  const raw = await response.text();
  if (!response.ok) return fail({ outcome: "error", detail: `HTTP ${response.status} from ${endpoint.provider}: ${raw.slice(0, 200)}` });
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return fail({ outcome: "unparseable", detail: `${endpoint.provider} answered non-JSON` });
  }
  if (anthropic) {
    const parsed = AnthropicMessageSchema.safeParse(json);
    if (!parsed.success) return fail({ outcome: "unparseable", detail: "not an Anthropic messages response" });
    return ok(parsed.data.content.map((block) => (block.type === "text" ? (block.text ?? "") : "")).join(""));
  }
  const parsed = ChatCompletionSchema.safeParse(json);
  if (!parsed.success) return fail({ outcome: "unparseable", detail: "not a chat completions response" });
  return ok(parsed.data.choices[0]?.message.content ?? "");
}

async function runWorkersAi(
  model: string,
  maxTokens: number,
  prompt: LlmPrompt,
  options: LlmCallOptions,
  signal: AbortSignal,
): Promise<Result<string, LlmFailure>> {
  const ai = options.ai;
  if (ai === undefined) return fail({ outcome: "error", detail: "LLM_URI names Workers AI but the AI binding is not configured" });
  const messages = [
    { role: "system", content: prompt.system },
    { role: "user", content: prompt.user },
  ];
  // The binding takes no AbortSignal: race it against the same deadline.
  const aborted = new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
  const output = await Promise.race([ai.run(model, { messages, max_tokens: maxTokens }), aborted]);
  const parsed = WorkersAiSchema.safeParse(output);
  if (!parsed.success) return fail({ outcome: "unparseable", detail: "Workers AI answered without a response field" });
  const response = parsed.data.response;
  return ok(typeof response === "string" ? response : JSON.stringify(response));
}
