import { Hono } from "hono";
import { AI_CRAWLER_TOKENS } from "../../core/crawlers";
import { edgeLabel } from "../../core/edge-label";
import type { DecisionReport, ReportLabel } from "../../core/report";
import type { RequestFacts } from "../../core/request-facts";
import { managedRobotsTxt } from "../../core/robots-managed";
import { TRAP_PATH_PREFIX, isTrapPath } from "../../core/trap-paths";
import { blocklistKey } from "../../core/blocklist-key";
import type { BlocklistEntry } from "../../core/blocklist-entry";
import { onError } from "../../adapters/http";
import type { EdgeGuardEnv } from "./env";
import { readFacts } from "./facts";
import { publishFaults, recordFault } from "./faults";
import { assess, createIsolateState, type Assessment, type IsolateState, type WaitUntil } from "./guard";
import { embeddedTrapResponse, honeypotMac, trapSignals, trapVisit, withHoneypot, type TrapVisit } from "./honeypot";
import { TARPIT_NO_HOP_HEADER } from "../../core/tarpit-headers";
import { fnv1a } from "../../core/fingerprint";
import { blockedResponse, proxyToOrigin } from "./respond";
import { challengeConfig, challengeResponse, challengeRoutes, readPass } from "./challenge";
import type { SolveMethod } from "../../core/challenge";
import type { Reason } from "../../core/verdict";

/** How long a honeypot label keeps a client in the labyrinth: a day, since addresses change hands. */
const HONEYPOT_LABEL_TTL_S = 24 * 3600;
/**
 * Navigations from another site into the trap, per client and 10 minutes, that the tarpit does not count as hops.
 * A page elsewhere can send a person's browser here once per click; a client claiming many is counted as usual.
 */
const FOREIGN_NAVIGATIONS_UNCOUNTED = 3;
/** The trusted headers edge-guard adds when it hands a request to the tarpit over the service binding. */
export const TARPIT_CLIENT_IP_HEADER = "x-edge-guard-client-ip";
export const TARPIT_SCORE_HEADER = "x-edge-guard-score";

let isolate: IsolateState | null = null;
/** The isolate's bindings, for reports sent from the challenge routes' callback. */
let currentEnv: EdgeGuardEnv | null = null;
/** The per-isolate state (caches, counters, policy), created on first use. */
export function isolateState(): IsolateState {
  isolate ??= createIsolateState();
  return isolate;
}

export const app = new Hono<{ Bindings: EdgeGuardEnv }>().onError(onError);

// Bindings are the same object for every request of an isolate; the challenge callback reports through them.
app.use("*", async (c, next) => {
  currentEnv = c.env;
  await next();
});

// The challenge's scripts and verify endpoints come before the decision: a challenged client must reach them.
app.route(
  "/",
  challengeRoutes({
    onSolved: (facts, method) => reportSolved(facts, method),
  }),
);

app.all("*", async (c) => {
  const env = c.env;
  const waitUntil: WaitUntil = (p) => c.executionCtx.waitUntil(p);
  const request = c.req.raw;
  const facts = readFacts(request, env.DEV_CLIENT_OVERRIDES === "on", Date.now());
  const state = isolateState();
  const mac = honeypotMac(env.TOKEN_SECRET);
  const trap = isTrapPath(facts.path) ? await trapVisit(request, facts, mac) : null;
  // A trap URL another site's page made the browser load: not the client's doing, so no label, hop or maze.
  if (trap?.entry === "embedded" && env.MODE !== "observe") return embeddedTrapResponse();
  let assessment: Assessment;
  try {
    assessment = await assess(state, env, request, facts, trap === null ? [] : trapSignals(trap), waitUntil);
  } catch (error) {
    // The pipeline itself failed: fail open, counted, and the site stays up.
    recordFault("decide", error);
    return proxyToOrigin(request, env.ORIGIN_URL);
  }
  const { verdict, policy } = assessment;
  const faultsWrite = publishFaults(env.BLOCKLIST, facts.receivedAt);
  if (faultsWrite !== null) waitUntil(faultsWrite);
  const observe = env.MODE === "observe" || (env.MODE !== "enforce" && policy.mode === "observe");
  const action = observe ? "allow" : verdict.action;
  report(state, env, facts, assessment, waitUntil);

  if (action === "block") return blockedResponse();
  if (action === "challenge") {
    const challenged = await challengeOrPass(env, request, facts, assessment);
    if (challenged !== null) return challenged;
  }
  if (action === "tarpit") {
    // Only the hidden link served to this very client labels it; a guessed, stale or someone else's link does not.
    if (trap?.token === "own" && assessment.entry === null) waitUntil(labelHoneypot(state, env, facts));
    const hop = countsHop(trap, assessment);
    state.counters.hit([`ip:${facts.ip}`], "tarpit", facts.receivedAt);
    try {
      return await env.TARPIT.fetch(tarpitRequest(request, facts, verdict.score, hop));
    } catch (error) {
      recordFault("tarpit", error);
    }
  }
  if (facts.path === "/robots.txt" && request.method === "GET") return managedRobots(state, env, request, facts);
  const response = await proxyToOrigin(request, env.ORIGIN_URL, facts.ip);
  const verified = verdict.reasons.some((r) => r.code === "verified-crawler" || r.code === "web-bot-auth");
  return verified || !carriesHoneypot(facts) ? response : withHoneypot(response, facts, mac);
});

/** The challenge page, or null when the client holds a valid pass (or challenges are off: fail open). */
async function challengeOrPass(env: EdgeGuardEnv, request: Request, facts: RequestFacts, a: Assessment): Promise<Response | null> {
  const config = challengeConfig(env);
  if (config === null) return null;
  try {
    const pass = await readPass(request, facts, config.secret, facts.receivedAt);
    if (pass.valid) return null;
    return await challengeResponse(request, facts, a.verdict.score, config.secret, facts.receivedAt, {
      thresholds: { challenge: a.policy.thresholds.challenge, tarpit: a.policy.thresholds.tarpit },
      ...(config.turnstile ? { turnstileSiteKey: config.turnstile.siteKey } : {}),
    });
  } catch (error) {
    recordFault("challenge", error);
    return null;
  }
}

/** A solved challenge is a human label for training. */
function reportSolved(facts: RequestFacts, method: SolveMethod): Promise<void> {
  const state = isolateState();
  const message = baseReport(facts, {
    source: "challenge",
    label: { kind: "challenge-solved", value: "human" },
    action: "allow",
    score: 0,
    reasons: [{ code: "challenge-solved", weight: 0, detail: method }],
    counts: { hits1m: 0, hits10m: 0, tarpitHits: 0 },
  });
  return queueSend(state, message);
}

/** One HTML page in this many carries a honeypot link: a crawler meets one within a few pages; rewriting every page costs. */
const HONEYPOT_SAMPLE = 4;

/** Whether this page gets a honeypot link: a stable choice per client and path, so a refetch looks the same. */
function carriesHoneypot(facts: RequestFacts): boolean {
  return fnv1a(`${facts.ip}|${facts.path}`) % HONEYPOT_SAMPLE === 0;
}

/** Whether the tarpit counts this request as a hop: not for a navigation from another site without the client's own link. */
function countsHop(trap: TrapVisit | null, a: Assessment): boolean {
  if (trap?.entry !== "foreign-navigation" || trap.token === "own") return true;
  return a.counts.ipTarpit.m10 >= FOREIGN_NAVIGATIONS_UNCOUNTED;
}

function tarpitRequest(request: Request, facts: RequestFacts, score: number, hop: boolean): Request {
  const forwarded = new Request(request);
  // Trusted by the tarpit because only edge-guard reaches it: a client's own copies are overwritten or removed.
  forwarded.headers.set(TARPIT_CLIENT_IP_HEADER, facts.ip);
  forwarded.headers.set(TARPIT_SCORE_HEADER, String(score));
  if (hop) forwarded.headers.delete(TARPIT_NO_HOP_HEADER);
  else forwarded.headers.set(TARPIT_NO_HOP_HEADER, "1");
  return forwarded;
}

async function managedRobots(state: IsolateState, env: EdgeGuardEnv, request: Request, facts: RequestFacts): Promise<Response> {
  const { text } = await state.robots.get(env.ORIGIN_URL || new URL(request.url).origin, facts.receivedAt);
  const body = managedRobotsTxt(text, { aiAgents: AI_CRAWLER_TOKENS, trapPrefixes: [TRAP_PATH_PREFIX] });
  return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "public, max-age=3600" } });
}

/** Following the hidden link served to this client is a honeypot hit: a label that keeps it in the maze for a day. */
async function labelHoneypot(state: IsolateState, env: EdgeGuardEnv, facts: RequestFacts): Promise<void> {
  const entry: BlocklistEntry = { action: "tarpit", reason: "honeypot", source: "edge", at: facts.receivedAt };
  state.blocklist.remember(facts.ip, entry, facts.receivedAt);
  await env.BLOCKLIST.put(blocklistKey(facts.ip), JSON.stringify(entry), { expirationTtl: HONEYPOT_LABEL_TTL_S }).catch((error: unknown) =>
    recordFault("honeypot", error),
  );
}

type ReportOutcome = Pick<DecisionReport, "action" | "score" | "counts"> & {
  readonly reasons: readonly Reason[];
  readonly source?: DecisionReport["source"];
  readonly label?: ReportLabel;
};

function baseReport(facts: RequestFacts, outcome: ReportOutcome): DecisionReport {
  return {
    v: 1,
    id: crypto.randomUUID(),
    at: facts.receivedAt,
    source: outcome.source ?? "edge",
    ip: facts.ip,
    method: facts.method,
    path: facts.path.slice(0, 2048),
    userAgent: facts.userAgent,
    headers: { ...facts.headers },
    cf: facts.cf,
    action: outcome.action,
    score: outcome.score,
    reasons: outcome.reasons.slice(0, 64).map((r) => ({ code: r.code, weight: r.weight, ...(r.detail === undefined ? {} : { detail: r.detail.slice(0, 200) }) })),
    counts: outcome.counts,
    signals: outcome.reasons.slice(0, 64).map((r) => r.code.slice(0, 64)),
    ...(outcome.label === undefined ? {} : { label: outcome.label }),
  };
}

async function queueSend(state: IsolateState, message: DecisionReport): Promise<void> {
  const env = currentEnv;
  if (env === null) return;
  await (state.reports.push(message, true, env.REPORTS, message.at) ?? Promise.resolve());
}

function report(state: IsolateState, env: EdgeGuardEnv, facts: RequestFacts, a: Assessment, waitUntil: WaitUntil): void {
  const { verdict, counts } = a;
  const label = edgeLabel(facts.path, a.entry !== null, verdict.action, verdict.reasons);
  const message = baseReport(facts, {
    action: verdict.action,
    score: verdict.score,
    reasons: verdict.reasons,
    ...(label === undefined ? {} : { label }),
    counts: { hits1m: counts.ip.m1, hits10m: counts.ip.m10, tarpitHits: counts.ipTarpit.m10 + (verdict.action === "tarpit" ? 1 : 0) },
  });
  const send = state.reports.push(message, verdict.action !== "allow", env.REPORTS, facts.receivedAt);
  if (send !== null) waitUntil(send);
}
