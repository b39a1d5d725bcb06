import { createExecutionContext, createMessageBatch, getQueueResult, type QueueResult } from "cloudflare:test";
import { env as rawEnv } from "cloudflare:workers";
import { inject } from "vitest";
import type { EscalationEnv } from "../../../workers/escalation/env";
import worker, { type escalationWorker } from "../../../workers/escalation/index";
import type { RecordedRequest } from "../../support/llm-stand-in";

/** escalation's bindings in the test runtime (wrangler.toml plus the embedded Postgres). */
export const env = rawEnv as unknown as EscalationEnv;

/**
 * Delivers bodies to escalation's queue handler, as the Queue would (attempt `attempts`), and returns the outcome.
 * `handler`: the deployed Worker's (one state for the whole test file, as an isolate keeps it), or one over a
 * state the test built (`escalationWorker(createEscalationState(...))`).
 */
export async function deliver(
  bodies: readonly unknown[],
  testEnv: EscalationEnv = env,
  attempts = 1,
  handler: ReturnType<typeof escalationWorker> = worker,
): Promise<QueueResult> {
  const batch = createMessageBatch(
    "edge-guard-reports",
    bodies.map((body, i) => ({ id: `msg-${attempts}-${i}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await handler.queue(batch, testEnv, ctx);
  return getQueueResult(batch, ctx);
}

/** Everything the LLM and webhook stand-in (test/support/llm-stand-in.ts) has received so far. */
export async function standInRequests(): Promise<RecordedRequest[]> {
  return (await (await fetch(`${inject("llmStandInUrl")}/__requests`)).json()) as RecordedRequest[];
}
