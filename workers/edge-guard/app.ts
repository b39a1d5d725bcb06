import { Hono } from "hono";
import { blocklistKey } from "../../core/blocklist-key";
import { decide } from "../../core/decide";
import type { DecisionReport } from "../../core/report";
import type { ClientState, RequestFacts } from "../../core/request-facts";
import type { Verdict } from "../../core/verdict";
import { onError } from "../../adapters/http";
import type { EdgeGuardEnv } from "./env";
import { readFacts } from "./facts";
import { recordFault } from "./faults";
import { blockedResponse, proxyToOrigin } from "./respond";

type Ctx = { waitUntil(promise: Promise<unknown>): void };

export const app = new Hono<{ Bindings: EdgeGuardEnv }>().onError(onError);

app.all("*", async (c) => {
  const env = c.env;
  const ctx: Ctx = c.executionCtx;
  const facts = readFacts(c.req.raw, env.DEV_CLIENT_OVERRIDES === "on", Date.now());
  const state = await clientState(env, facts);
  const verdict = safeDecide(facts, state);
  if (verdict.action !== "allow") ctx.waitUntil(report(env, facts, state, verdict));
  const action = env.MODE === "observe" ? "allow" : verdict.action;
  if (action === "block") return blockedResponse();
  if (action === "tarpit") {
    ctx.waitUntil(markTarpit(env, facts));
    try {
      return await env.TARPIT.fetch(c.req.raw);
    } catch (error) {
      recordFault("tarpit", error);
    }
  }
  return proxyToOrigin(c.req.raw, env.ORIGIN_URL);
});

/** Looks the client up in the blocklist and its ledger, in parallel. A store that fails counts as "nothing known". */
async function clientState(env: EdgeGuardEnv, facts: RequestFacts): Promise<ClientState> {
  const [blocked, counts] = await Promise.all([
    env.BLOCKLIST.get(blocklistKey(facts.ip)).then(
      (value) => value !== null,
      (error: unknown) => (recordFault("blocklist", error), false),
    ),
    ledger(env, facts)
      .record(facts.receivedAt)
      .catch((error: unknown) => (recordFault("ledger", error), null)),
  ]);
  return { blocklisted: blocked, counts };
}

function ledger(env: EdgeGuardEnv, facts: RequestFacts) {
  return env.CLIENT_LEDGER.getByName(`ip:${facts.ip}`);
}

function safeDecide(facts: RequestFacts, state: ClientState): Verdict {
  try {
    return decide(facts, state);
  } catch (error) {
    // A bug in a signal must not take the site down; a known-blocked client stays blocked.
    recordFault("decide", error);
    return state.blocklisted
      ? { action: "block", score: 0, reasons: [{ code: "blocklist-ip", weight: 0 }] }
      : { action: "allow", score: 0, reasons: [] };
  }
}

async function markTarpit(env: EdgeGuardEnv, facts: RequestFacts): Promise<void> {
  await ledger(env, facts)
    .markTarpit(facts.receivedAt)
    .catch((error: unknown) => recordFault("ledger", error));
}

async function report(env: EdgeGuardEnv, facts: RequestFacts, state: ClientState, verdict: Verdict): Promise<void> {
  const counts = state.counts ?? { hits1m: 1, hits10m: 1, tarpitHits: 0 };
  const message: DecisionReport = {
    v: 1,
    id: crypto.randomUUID(),
    at: facts.receivedAt,
    source: "edge",
    ip: facts.ip,
    method: facts.method,
    path: facts.path.slice(0, 2048),
    userAgent: facts.userAgent,
    headers: { ...facts.headers },
    cf: facts.cf,
    action: verdict.action,
    score: verdict.score,
    reasons: verdict.reasons.map((r) => ({ ...r })),
    counts: { ...counts, tarpitHits: counts.tarpitHits + (verdict.action === "tarpit" ? 1 : 0) },
  };
  await env.REPORTS.send(message).catch((error: unknown) => recordFault("report", error));
}
