import { fail, ok, type Result } from "../result";

/** An HTTP chat API: OpenAI-compatible chat completions (OpenAI, Mistral, any compatible server) or Anthropic messages. */
export interface HttpLlmEndpoint {
  readonly provider: "openai" | "mistral" | "anthropic";
  /** The full URL requests go to, e.g. https://api.openai.com/v1/chat/completions. */
  readonly url: string;
  readonly model: string;
  readonly maxTokens: number;
  /** `provider:model`, for logs and stored answers (never the key). */
  readonly label: string;
}

/** A model run through the Workers AI binding (`AI`). */
export interface WorkersAiEndpoint {
  readonly provider: "workers-ai";
  readonly model: string;
  readonly maxTokens: number;
  readonly label: string;
}

/** Where escalation's LLM verdicts come from, parsed from the `LLM_URI` var. */
export type LlmEndpoint = HttpLlmEndpoint | WorkersAiEndpoint;

/** The answer budget per call, tokens, unless `max_tokens` says otherwise: a verdict and one sentence. */
export const DEFAULT_MAX_TOKENS = 200;

const HTTP_RE = /^(openai|mistral|anthropic)(?:\+(https?))?:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?$/;
const WORKERS_AI_RE = /^workers-ai:(?:\/\/)?([^?#]+)(?:\?([^#]*))?$/;
const HOST_RE = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;
const MODEL_RE = /^@?[\w.:/-]{1,200}$/;
const API_PATHS = { openai: "/chat/completions", mistral: "/chat/completions", anthropic: "/messages" } as const;
// Plain http sends the API key in clear: allowed only to this machine or a private network (a local model server).
const LOCAL_HOST_RE =
  /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\]|10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2})(?::\d+)?$/i;

/**
 * Parses `LLM_URI`. Forms (see README, "LLM verdicts"):
 * `openai://api.openai.com/v1?model=gpt-4o-mini`, `anthropic://api.anthropic.com/v1?model=…`,
 * `mistral://api.mistral.ai/v1?model=…`, `openai+http://127.0.0.1:11434/v1?model=…` (local servers only),
 * `workers-ai://@cf/meta/llama-3.1-8b-instruct`. Query: `model` (required for HTTP), `max_tokens`.
 * The key never goes in the URI (it is the LLM_API_KEY secret): credentials in it are an error.
 */
export function parseLlmUri(uri: string): Result<LlmEndpoint, string> {
  const text = uri.trim();
  const workersAi = WORKERS_AI_RE.exec(text);
  if (workersAi !== null) {
    const model = decodeURIComponent(workersAi[1] ?? "");
    if (!MODEL_RE.test(model)) return fail(`LLM_URI: "${model}" is not a Workers AI model name`);
    const params = parseQuery(workersAi[2] ?? "", ["max_tokens"]);
    if (!params.ok) return params;
    const maxTokens = parseMaxTokens(params.value.get("max_tokens"));
    return maxTokens.ok ? ok({ provider: "workers-ai", model, maxTokens: maxTokens.value, label: `workers-ai:${model}` }) : maxTokens;
  }
  const http = HTTP_RE.exec(text);
  if (http === null) return fail("LLM_URI must look like openai://host/v1?model=NAME, anthropic://…, mistral://…, or workers-ai://MODEL");
  const provider = (http[1] ?? "openai") as HttpLlmEndpoint["provider"];
  const [scheme = "https", host = "", rawPath = ""] = [http[2], http[3], http[4]];
  if (host.includes("@")) return fail("LLM_URI must not carry credentials: put the key in the LLM_API_KEY secret");
  if (!HOST_RE.test(host)) return fail(`LLM_URI: "${host}" is not a host name`);
  if (scheme === "http" && !LOCAL_HOST_RE.test(host))
    return fail(`LLM_URI: plain http only to a local server (loopback or private address), not ${host}: the key would travel in clear`);
  const params = parseQuery(http[5] ?? "", ["model", "max_tokens"]);
  if (!params.ok) return params;
  const model = params.value.get("model") ?? "";
  if (!MODEL_RE.test(model)) return fail("LLM_URI needs ?model=NAME");
  const maxTokens = parseMaxTokens(params.value.get("max_tokens"));
  if (!maxTokens.ok) return maxTokens;
  const base = rawPath.replace(/\/+$/, "") || "/v1";
  return ok({
    provider,
    url: `${scheme}://${host}${base}${API_PATHS[provider]}`,
    model,
    maxTokens: maxTokens.value,
    label: `${provider}:${model}`,
  });
}

function parseQuery(query: string, allowed: readonly string[]): Result<Map<string, string>, string> {
  const params = new Map<string, string>();
  for (const pair of query.split("&").filter((p) => p !== "")) {
    const eq = pair.indexOf("=");
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (!allowed.includes(key)) return fail(`LLM_URI: unknown parameter "${key}" (known: ${allowed.join(", ")})`);
    try {
      params.set(key, decodeURIComponent((eq < 0 ? "" : pair.slice(eq + 1)).replace(/\+/g, " ")));
    } catch {
      return fail(`LLM_URI: parameter "${key}" is not valid percent-encoding`);
    }
  }
  return ok(params);
}

function parseMaxTokens(text: string | undefined): Result<number, string> {
  if (text === undefined) return ok(DEFAULT_MAX_TOKENS);
  const n = Number(text);
  return Number.isInteger(n) && n >= 16 && n <= 4096 ? ok(n) : fail("LLM_URI: max_tokens must be an integer from 16 to 4096");
}
