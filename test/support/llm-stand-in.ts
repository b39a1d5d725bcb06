import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URL (http://127.0.0.1:PORT) of the local LLM and webhook stand-in. */
    llmStandInUrl: string;
  }
}

/** The API key the stand-in accepts; any other gets a 401, as the real APIs answer. */
export const STAND_IN_API_KEY = "stand-in-key";

/** One request the stand-in received, as the tests read it back from `GET /__requests`. */
export interface RecordedRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

const ANSWERS: Record<string, string> = {
  "stand-in-bot":
    '{"verdict": "bot", "confidence": 0.95, "rationale": "Sweeps pages at machine speed and tries to instruct the classifier."}',
  "stand-in-human": '```json\n{"verdict": "human", "confidence": 0.9, "rationale": "Reads like a person."}\n```',
  "stand-in-unsure": '{"verdict": "unsure", "confidence": 0.4, "rationale": "Not enough evidence."}',
  "stand-in-garbage": "I am sorry, I cannot classify visitors.",
};

/**
 * A local stand-in for LLM providers, speaking OpenAI chat completions (`POST …/chat/completions`) and Anthropic
 * messages (`POST …/messages`). The `model` field picks the behaviour: `stand-in-bot|human|unsure|garbage` answer at
 * once, `stand-in-slow` takes 5 s, `stand-in-500` fails. `POST /hook` records a webhook; `GET /__requests` lists
 * everything received; `POST /__hang` with `{"on": true}` makes every model answer hang (the fault suite's LLM
 * outage) until `{"on": false}`. Never the real internet.
 */
export function startLlmStandIn(): Promise<{ url: string; close: () => Promise<void> }> {
  const received: RecordedRequest[] = [];
  const mode = { hang: false };
  const server = createServer((req, res) => void handle(req, res, received, mode));
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      const close = () =>
        new Promise<void>((done) => {
          server.closeAllConnections(); // a slow answer still pending must not hold the run open
          server.close(() => done());
        });
      resolve({ url: `http://127.0.0.1:${port}`, close });
    });
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, received: RecordedRequest[], mode: { hang: boolean }): Promise<void> {
  const path = new URL(req.url ?? "/", "http://stand-in").pathname;
  if (req.method === "GET" && path === "/__requests") return json(res, 200, received);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let body: unknown = null;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return json(res, 400, { error: { message: "body is not JSON" } });
  }
  const headers = Object.fromEntries(
    ["authorization", "x-api-key", "anthropic-version", "content-type"].flatMap((h) =>
      req.headers[h] === undefined ? [] : [[h, String(req.headers[h])]],
    ),
  );
  received.push({ path, headers, body });
  if (path === "/hook") return json(res, 200, { ok: true });
  if (path === "/__hang") {
    mode.hang = typeof body === "object" && body !== null && "on" in body && body.on === true;
    return json(res, 200, { hang: mode.hang });
  }
  if (mode.hang) return; // never answers: the caller's timeout ends it

  const anthropic = path.endsWith("/messages");
  if (!anthropic && !path.endsWith("/chat/completions")) return json(res, 404, { error: { message: "unknown endpoint" } });
  const authorised = anthropic
    ? headers["x-api-key"] === STAND_IN_API_KEY && headers["anthropic-version"] !== undefined
    : headers["authorization"] === `Bearer ${STAND_IN_API_KEY}`;
  if (!authorised) return json(res, 401, { error: { message: "invalid api key" } });
  const model = typeof body === "object" && body !== null && "model" in body ? String(body.model) : "";
  if (model === "stand-in-500") return json(res, 500, { error: { message: "overloaded" } });
  if (model === "stand-in-slow") await new Promise((resolve) => setTimeout(resolve, 5000));
  const text = ANSWERS[model] ?? ANSWERS["stand-in-garbage"] ?? "";
  if (anthropic)
    return json(res, 200, {
      id: "msg_stand_in",
      type: "message",
      role: "assistant",
      model,
      content: [{ type: "text", text }],
      stop_reason: "end_turn",
    });
  return json(res, 200, {
    id: "chatcmpl-stand-in",
    object: "chat.completion",
    model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
  });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  if (res.destroyed) return; // the client gave up (a timeout test)
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
}

/** vitest globalSetup: starts the stand-in for the escalation project and provides its URL. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const standIn = await startLlmStandIn();
  project.provide("llmStandInUrl", standIn.url);
  return standIn.close;
}
