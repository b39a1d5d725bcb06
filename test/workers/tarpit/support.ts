import { env as rawEnv } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import type { DecisionReport } from "../../../core/report";
import type { TarpitVars } from "../../../core/tarpit-config";
import Tarpit from "../../../workers/tarpit/index";
import type { TarpitEnv } from "../../../workers/tarpit/env";

/** The tarpit's env from its wrangler.toml (production pacing), with the test database bound. */
export const baseEnv = rawEnv as unknown as TarpitEnv;

/** An env with some vars changed, and a REPORTS queue that records what it is sent. */
export function envWith(vars: Partial<Record<keyof TarpitVars, string>>): { env: TarpitEnv; reports: DecisionReport[] } {
  const reports: DecisionReport[] = [];
  const queue = { send: async (message: DecisionReport) => void reports.push(message) } as unknown as Queue<DecisionReport>;
  return { env: { ...baseEnv, ...vars, REPORTS: queue }, reports };
}

/** One request through a fresh Tarpit entrypoint; `settled` resolves when its waitUntil work is done. */
export async function call(
  env: TarpitEnv,
  path: string,
  ip?: string,
  method = "GET",
  extra: Record<string, string> = {},
): Promise<{ response: Response; settled: () => Promise<void> }> {
  const ctx = createExecutionContext();
  const headers: Record<string, string> = { "user-agent": "GPTBot/1.2", accept: "text/html", ...extra };
  if (ip !== undefined) Object.assign(headers, { "x-edge-guard-client-ip": ip, "x-edge-guard-score": "70" });
  const response = await new Tarpit(ctx, env).fetch(new Request(`http://example.com${path}`, { method, headers }));
  return { response, settled: () => waitOnExecutionContext(ctx) };
}

/** Reads a body chunk by chunk, noting when each arrived (workerd's clock moves across timers). */
export async function readChunks(response: Response): Promise<{ chunks: Uint8Array[]; times: number[]; bytes: Uint8Array }> {
  const reader = response.body?.getReader();
  if (reader === undefined) throw new Error("no body");
  const chunks: Uint8Array[] = [];
  const times: number[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    times.push(Date.now());
  }
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return { chunks, times, bytes };
}

/** A fresh Tarpit entrypoint for RPC calls (stats, metrics). */
export function tarpitFor(env: TarpitEnv): Tarpit {
  return new Tarpit(createExecutionContext(), env);
}
