import { Hono } from "hono";
import { AI_CRAWLER_TOKENS } from "../../core/crawlers";
import { edgeLabel } from "../../core/edge-label";
import type { DecisionReport, ReportLabel } from "../../core/report";
import type { RequestFacts } from "../../core/request-facts";
import { managedRobotsTxt } from "../../core/robots-managed";
import { TRAP_PATH_PREFIX, isTrapPath } from "../../core/trap-paths";
import { writeTarpitHandoff } from "../../core/tarpit-headers";
import { BlocklistStore } from "../../adapters/blocklist-store";
import { RANGES_REFRESH_MS } from "../../core/range-entries";
import { siteKeys } from "../../core/kv-keys";
import { siteOf } from "../../core/request-facts";
import type { BlocklistEntry } from "../../core/blocklist-entry";
import { errorResponse, onError } from "../../adapters/http";
import { CHALLENGE_BASE } from "./challenge-assets";
import { payPerCrawl, settlePaid, type PayStep } from "./pay-per-crawl";
import type { EdgeGuardEnv } from "./env";
import { readFacts } from "./facts";
import { assessRequest, clientCounterKey, createIsolateState, type Assessment, type IsolateState, type WaitUntil } from "./guard";
import { embeddedTrapResponse, trapSignals, trapVisit, withHoneypot, type TrapVisit } from "./honeypot";
import { fnv1a } from "../../core/fingerprint";
import { modeInForce } from "../../core/mode";
import { blockedResponse, originUnreachableResponse, proxyToOrigin } from "./respond";
import { summaryMaxWaitMs } from "./reports";
import {
  challengeConfig,
  challengeResponse,
  challengeRoutes,
  readPass,
  type ChallengeOutcome,
  type ChallengeRouteOptions,
} from "./challenge";
import type { SolveMethod } from "../../core/challenge";
import { AUTOMATION_SIGNALS } from "../../core/automation-evidence";
import { clientPrefix } from "../../core/cidr";
import { fleetEvidence, fleetGroup } from "../../core/fleet";
import { budgetOverrun, budgetRetryAfterS, NOJS_PASSES_PER_HOUR, PASS_BUDGETS, type BudgetOverrun } from "../../core/pass-budget";
import { requestKind } from "../../core/request-kind";
import type { Reason } from "../../core/verdict";
import { signal } from "../../core/signals/registry";
import { DEFAULT_SITE_ID } from "../../core/sites";

/** How long a honeypot label keeps a client in the labyrinth: a day, since addresses change hands. */
const HONEYPOT_LABEL_TTL_S = 24 * 3600;
/**
 * Navigations from another site into the trap, per client and 10 minutes, that the tarpit does not count as hops.
 * A page elsewhere can send a person's browser here once per click; a client claiming many is counted as usual.
 */
const FOREIGN_NAVIGATIONS_UNCOUNTED = 3;

let isolate: IsolateState | null = null;
/** The per-isolate state (caches, counters, policy), created on first use. */
export function isolateState(): IsolateState {
  isolate ??= createIsolateState();
  return isolate;
}

/**
 * What a test may replace: the outer edge (Turnstile's siteverify), the no-JS pacing, and the challenge page
 * builder (to make it fail and see the request fail open).
 */
export type ChallengeSeams = Pick<
  ChallengeRouteOptions<EdgeGuardEnv>,
  "nojsWaitMs" | "nojsPassesPerMinute" | "turnstileVerifyUrl" | "fetch"
> & {
  readonly challengePage?: typeof challengeResponse;
};

/** edge-guard's app. Tests build one with seams to go through the real wiring; production uses `app`. */
export function edgeGuardApp(seams: ChallengeSeams = {}): Hono<{ Bindings: EdgeGuardEnv }> {
  // The challenge's scripts and verify endpoints come before the decision: a challenged client must reach them.
  const { challengePage = challengeResponse, ...routeSeams } = seams;
  const challenge = challengeRoutes<EdgeGuardEnv>({
    ...routeSeams,
    onOutcome: (env, facts, outcome, url) => challengeOutcome(env, facts, outcome, url),
    nojsAllowed: (env, facts, at) => nojsPassAllowed(env, facts, at),
    warnings: () => isolateState().warnings,
  });
  return new Hono<{ Bindings: EdgeGuardEnv }>()
    .onError(onError)
    .route("/", challenge)
    .all("*", (c) => guardRequest(c.req.raw, c.env, (p) => c.executionCtx.waitUntil(p), challengePage));
}

export const app = edgeGuardApp();

/**
 * The Worker's fetch: a request for the challenge's own endpoints goes through the app's router; every other request
 * (nearly all of them) straight to the guard, the same function the app's catch-all calls, without the router's
 * matching and context on the hot path. Errors are answered as the app's `onError` answers them.
 */
export async function edgeGuardFetch(request: Request, env: EdgeGuardEnv, ctx: ExecutionContext): Promise<Response> {
  if (request.url.includes(CHALLENGE_BASE)) return app.fetch(request, env, ctx);
  try {
    return await guardRequest(request, env, (p) => ctx.waitUntil(p), challengeResponse);
  } catch (error) {
    return errorResponse(error);
  }
}

async function guardRequest(
  request: Request,
  env: EdgeGuardEnv,
  waitUntil: WaitUntil,
  challengePage: typeof challengeResponse,
): Promise<Response> {
  const state = isolateState();
  const url = new URL(request.url); // parsed once: facts, site and the origin's request read it
  const read = readFacts(request, env.DEV_CLIENT_OVERRIDES === "on", Date.now(), url);
  // The site the host belongs to: every site-owned read below (policy, blocklist, ranges, counters) is that site's.
  const site = await siteFor(state, env, url.host, read.receivedAt, waitUntil);
  // A host no site claims, where the operator chose strict mode: refused plainly (the reason only in the operator's docs).
  if (site === null) return misdirectedResponse();
  const facts: RequestFacts = { ...read, site };
  const mac = state.honeypot.mac(env.TOKEN_SECRET);
  const trap = isTrapPath(facts.path) ? await trapVisit(request, facts, mac, state.faults) : null;
  // A trap URL another site's page made the browser load: not the client's doing, so no label, hop or maze.
  const modeWrite = state.modeVar.publish(env.BLOCKLIST, env.MODE, facts.receivedAt);
  if (modeWrite !== null) waitUntil(modeWrite);
  const paid = await payStep(state, env, request, facts, waitUntil);
  if (paid !== null)
    return "response" in paid
      ? paid.response
      : settlePaid(state, env, paid.paid, await fromOrigin(state, request, env.ORIGIN_URL, facts.ip), waitUntil);
  if (
    trap?.entry === "embedded" &&
    modeInForce(env.MODE, (await state.policy.current(env.BLOCKLIST, facts.receivedAt, waitUntil, site)).mode).mode === "enforce"
  ) {
    return embeddedTrapResponse();
  }
  let assessment: Assessment;
  try {
    assessment = await assessRequest(state, env, request, facts, trap === null ? [] : trapSignals(trap), waitUntil);
  } catch (error) {
    // The pipeline itself failed: fail open, counted, and the site stays up.
    state.faults.record("decide", error);
    return fromOrigin(state, request, env.ORIGIN_URL);
  }
  const { verdict, policy } = assessment;
  // The dev stack's fault suite reads totals in admin within seconds; a deployed isolate publishes once a minute.
  const faultsWrite = state.faults.publish(env.BLOCKLIST, facts.receivedAt, env.DEV_FAULTS === "on" ? 1_000 : undefined);
  if (faultsWrite !== null) waitUntil(faultsWrite);
  const action = modeInForce(env.MODE, policy.mode).mode === "observe" ? "allow" : verdict.action;
  report(state, env, facts, assessment, waitUntil);

  const evidence = fleetEvidence(facts, verdict.reasons);
  if (evidence.length > 0) waitUntil(sendFleetEvidence(state, env, assessment.group, facts, evidence));

  if (action === "block") return blockedResponse();
  if (action === "challenge") {
    const challenged = await challengeOrPass(state, env, request, facts, assessment, waitUntil, challengePage);
    if (challenged !== null) return challenged;
  }
  if (action === "tarpit") {
    // Only the hidden link served to this very client labels it; a guessed, stale or someone else's link does not.
    if (trap?.token === "own" && assessment.entry === null) waitUntil(labelHoneypot(state, env, facts));
    const hop = countsHop(trap, assessment);
    state.counters.hit([clientCounterKey(facts)], "tarpit", facts.receivedAt);
    try {
      const corpus = state.sites.site(siteOf(facts))?.corpus ?? null;
      return await env.TARPIT.fetch(tarpitRequest(request, facts, verdict.score, hop, corpus));
    } catch (error) {
      state.faults.record("tarpit", error);
    }
  }
  if (facts.path === "/robots.txt" && request.method === "GET") return managedRobots(state, env, request, facts, policy.contentSignal);
  const response = await fromOrigin(state, request, env.ORIGIN_URL, facts.ip, url);
  const verified = verdict.reasons.some((r) => r.code === "verified-crawler" || r.code === "web-bot-auth");
  return verified || !carriesHoneypot(facts) ? response : withHoneypot(response, facts, mac, state.faults);
}

/**
 * Pay per crawl, when the policy prices content and is enforced (observe enforces nothing, prices included). A crawler
 * that paid skips scoring (it identified itself with a signature the operator trusts), not the blocklist: a listed
 * address is refused before any price. A bug here fails open, counted.
 */
async function payStep(
  state: IsolateState,
  env: EdgeGuardEnv,
  request: Request,
  facts: RequestFacts,
  waitUntil: WaitUntil,
): Promise<PayStep> {
  try {
    const policy = await state.policy.current(env.BLOCKLIST, facts.receivedAt, waitUntil, siteOf(facts));
    if (policy.payPerCrawl === null || modeInForce(env.MODE, policy.mode).mode !== "enforce") return null;
    return await payPerCrawl(state, env, request, policy, facts, waitUntil, (asked) => fromOrigin(state, asked, env.ORIGIN_URL, facts.ip));
  } catch (error) {
    state.faults.record("decide", error);
    return null;
  }
}

/**
 * The id of the site a request's host belongs to; null for a host no site claims under `unknownHosts: "refuse"`. The
 * default site when the sites document cannot be read (fail open).
 */
async function siteFor(state: IsolateState, env: EdgeGuardEnv, host: string, now: number, waitUntil: WaitUntil): Promise<string | null> {
  try {
    return (await state.sites.resolve(env.BLOCKLIST, host, now, waitUntil))?.id ?? null;
  } catch (error) {
    state.faults.record("policy", error);
    return DEFAULT_SITE_ID;
  }
}

/** 421 Misdirected Request: this deployment serves no site on that host. */
function misdirectedResponse(): Response {
  return new Response("Misdirected request\n", {
    status: 421,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

/** The origin's answer; when the origin cannot be reached, a counted fault and a plain 502 (never a 500 from us). */
async function fromOrigin(state: IsolateState, request: Request, originUrl: string, clientIp?: string, url?: URL): Promise<Response> {
  try {
    return await proxyToOrigin(request, originUrl, clientIp, url);
  } catch (error) {
    let failure: unknown = error;
    // A GET or HEAD has no body to replay, so it is tried once more: a kept-alive connection the origin closed just
    // as it was reused fails the first try only (seen under load: a few in a thousand).
    if (request.method === "GET" || request.method === "HEAD") {
      try {
        return await proxyToOrigin(request, originUrl, clientIp, url);
      } catch (again) {
        failure = again;
      }
    }
    state.faults.record("origin", failure);
    return originUnreachableResponse();
  }
}

/**
 * The challenge page, or null when the client may go on: it holds a valid pass that is within its page budget
 * and carries no automation marker (or challenges are off: fail open). A pass lowers friction, not scrutiny.
 */
async function challengeOrPass(
  state: IsolateState,
  env: EdgeGuardEnv,
  request: Request,
  facts: RequestFacts,
  a: Assessment,
  waitUntil: WaitUntil,
  challengePage: typeof challengeResponse,
): Promise<Response | null> {
  const config = challengeConfig(env, state.warnings);
  if (config === null) return null;
  try {
    const pass = await readPass(request, facts, config.secret, facts.receivedAt);
    // HeadlessChrome, an automation UA or automation seen by the page script: never cleared by a solved challenge.
    const automation = a.verdict.reasons.some((r) => AUTOMATION_SIGNALS.has(r.code));
    if (pass.valid && !automation) {
      const binding = siteKeys(siteOf(facts)).counter(pass.binding);
      const overrun = requestKind(facts) === "page" ? await passOverrun(state, env, binding, pass.method, facts.receivedAt) : null;
      if (overrun === null) return null;
      waitUntil(passOverrunFound(state, env, facts, a, pass.method, overrun));
      return budgetWaitResponse(budgetRetryAfterS(overrun));
    }
    return await challengePage(request, facts, a.verdict.score, config.secret, facts.receivedAt, {
      thresholds: { challenge: a.policy.thresholds.challenge, tarpit: a.policy.thresholds.tarpit },
      ...(config.turnstile ? { turnstileSiteKey: config.turnstile.siteKey } : {}),
    });
  } catch (error) {
    state.faults.record("challenge", error);
    return null;
  }
}

/** Counts a page against the pass binding's budget (exact, across isolates); the window it overran, or null. */
async function passOverrun(
  state: IsolateState,
  env: EdgeGuardEnv,
  binding: string,
  method: SolveMethod,
  at: number,
): Promise<BudgetOverrun | null> {
  try {
    const counts = await env.PASS_LEDGER.getByName(`pass:${binding}`).page(at);
    return budgetOverrun(counts, PASS_BUDGETS[method]);
  } catch (error) {
    state.faults.record("pass", error); // fail open: the pass holds
    return null;
  }
}

/** A pass read past its budget: reported, fleet evidence, and past the hour's budget (machine pace) a bot label. */
async function passOverrunFound(
  state: IsolateState,
  env: EdgeGuardEnv,
  facts: RequestFacts,
  a: Assessment,
  method: SolveMethod,
  overrun: BudgetOverrun,
): Promise<void> {
  const reason: Reason = signal("pass-over-budget", `${method} pass over its ${overrun} budget`);
  const label: ReportLabel | undefined = overrun === "hour" ? { kind: "automation", value: "bot" } : undefined;
  if (overrun === "hour") await labelClient(state, env, facts, `pass read at machine pace (${method})`);
  await Promise.all([
    queueSend(
      state,
      env,
      baseReport(facts, {
        action: "challenge",
        score: a.verdict.score,
        reasons: [...a.verdict.reasons, reason],
        counts: zeroCounts,
        ...(label ? { label } : {}),
      }),
    ),
    sendFleetEvidence(state, env, a.group, facts, ["pass-over-budget"]),
  ]);
}

/** "One moment": 503 + Retry-After, no reason, no form (a person simply waits and reloads). */
function budgetWaitResponse(retryAfterS: number): Response {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex, nofollow"><title>One moment…</title></head><body><main><h1>One moment…</h1><p>Please wait a minute, then reload this page.</p></main></body></html>`;
  return new Response(body, {
    status: 503,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "retry-after": String(retryAfterS),
      "x-robots-tag": "noindex, nofollow",
    },
  });
}

const zeroCounts = { hits1m: 0, hits10m: 0, tarpitHits: 0 } as const;

/**
 * What a verify endpoint saw. Only a JavaScript proof with clean evidence (or Turnstile) is a human label; a no-JS
 * pass is no label at all, and fleet evidence for its group; automation seen by the page labels the client a bot.
 */
async function challengeOutcome(env: EdgeGuardEnv, read: RequestFacts, outcome: ChallengeOutcome, url: string): Promise<void> {
  const state = isolateState();
  const host = new URL(url).host;
  const facts: RequestFacts = { ...read, site: (await siteFor(state, env, host, read.receivedAt, () => undefined)) ?? DEFAULT_SITE_ID };
  const group = fleetGroup(facts);
  const report = (reason: Reason, label?: ReportLabel, action: DecisionReport["action"] = "allow") =>
    queueSend(
      state,
      env,
      baseReport(facts, {
        source: "challenge",
        action,
        score: reason.weight,
        reasons: [reason],
        counts: zeroCounts,
        ...(label ? { label } : {}),
      }),
    );
  switch (outcome.kind) {
    case "solved": {
      const detail = outcome.evidence.length === 0 ? outcome.method : `${outcome.method}; ${outcome.evidence.join(",")}`;
      if (outcome.method !== "nojs") return report(signal("challenge-solved", detail), { kind: "challenge-solved", value: "human" });
      await Promise.all([report(signal("nojs-pass")), sendFleetEvidence(state, env, group, facts, ["nojs-pass"])]);
      return;
    }
    case "automation": {
      const reason: Reason = signal("automation-evidence", outcome.evidence.join(","));
      await labelClient(state, env, facts, `automation seen by the challenge: ${outcome.evidence.join(",")}`);
      await Promise.all([
        report(reason, { kind: "automation", value: "bot" }, "tarpit"),
        sendFleetEvidence(state, env, group, facts, ["automation-evidence"]),
      ]);
      return;
    }
    case "forged-evidence":
      return report(signal("evidence-forged", outcome.refusal), undefined, "challenge");
    case "nojs-budget":
      return report(signal("nojs-budget"), undefined, "challenge");
  }
}

/** The cross-isolate no-JS budget: per fleet group and per network prefix, a few passes an hour. */
async function nojsPassAllowed(env: EdgeGuardEnv, facts: RequestFacts, at: number): Promise<boolean> {
  const prefix = clientPrefix(facts.ip) ?? facts.ip;
  const group = await env.PASS_LEDGER.getByName(`nojs-group:${fleetGroup(facts)}`).issue(at, NOJS_PASSES_PER_HOUR.group);
  if (!group) return false;
  return env.PASS_LEDGER.getByName(`nojs-net:${prefix}`).issue(at, NOJS_PASSES_PER_HOUR.prefix);
}

/** Sends one request's bot evidence to its fleet group's ledger; a flag it answers takes effect here at once. */
async function sendFleetEvidence(
  state: IsolateState,
  env: EdgeGuardEnv,
  group: string,
  facts: RequestFacts,
  codes: readonly string[],
): Promise<void> {
  if (!state.fleets.shouldSend(group, facts.ip, codes, facts.receivedAt)) return;
  try {
    const answer = await env.FLEET_LEDGER.getByName(group).evidence(group, facts.ip, codes, facts.userAgent, facts.receivedAt);
    state.fleets.learn(group, answer.flaggedUntil);
  } catch (error) {
    state.faults.record("fleet", error);
  }
}

/**
 * How long this isolate holds a label it wrote itself before it must come back in the range snapshot's listed
 * addresses (published within seconds of the write, loaded within RANGES_REFRESH_MS).
 */
const OWN_LABEL_HOLD_MS = 2 * RANGES_REFRESH_MS;

/** How long an automation or machine-pace label keeps a client in the labyrinth. */
const BOT_LABEL_TTL_S = 24 * 3600;

/** Labels a client a bot for a day: a KV entry that keeps it in the labyrinth (never a block on its own). */
async function labelClient(state: IsolateState, env: EdgeGuardEnv, facts: RequestFacts, reason: string): Promise<void> {
  const entry: BlocklistEntry = { action: "tarpit", reason: reason.slice(0, 200), source: "edge", at: facts.receivedAt };
  const key = siteKeys(siteOf(facts)).ip(facts.ip);
  state.blocklist.remember(key, entry, facts.receivedAt, OWN_LABEL_HOLD_MS);
  // Through the store: the label is noted in the RangeIndex's listed addresses, so every isolate reads it.
  await new BlocklistStore(env, "edge")
    .put([{ key, entry, ttlSeconds: BOT_LABEL_TTL_S }], facts.receivedAt)
    .catch((error: unknown) => state.faults.record("challenge", error));
}

/** One HTML page in this many carries a honeypot link: a crawler meets one within a few pages; rewriting every page costs. */
const HONEYPOT_SAMPLE = 4;

/** Whether this page gets a honeypot link: a stable choice per client and path, so a refetch looks the same. */
function carriesHoneypot(facts: RequestFacts): boolean {
  return fnv1a(facts.path, fnv1a("|", fnv1a(facts.ip))) % HONEYPOT_SAMPLE === 0; // the hash of `ip|path`
}

/** Whether the tarpit counts this request as a hop: not for a navigation from another site without the client's own link. */
function countsHop(trap: TrapVisit | null, a: Assessment): boolean {
  if (trap?.entry !== "foreign-navigation" || trap.token === "own") return true;
  return a.counts.ipTarpit.m10 >= FOREIGN_NAVIGATIONS_UNCOUNTED;
}

function tarpitRequest(request: Request, facts: RequestFacts, score: number, hop: boolean, corpus: string | null): Request {
  const forwarded = new Request(request);
  // Trusted by the tarpit because only edge-guard reaches it: a client's own copies are overwritten or removed.
  writeTarpitHandoff(forwarded.headers, { ip: facts.ip, site: siteOf(facts), corpus, score, hop });
  return forwarded;
}

async function managedRobots(
  state: IsolateState,
  env: EdgeGuardEnv,
  request: Request,
  facts: RequestFacts,
  contentSignal: string | null,
): Promise<Response> {
  const { text } = await state.robots.get(env.ORIGIN_URL, request.url, facts.receivedAt);
  const body = managedRobotsTxt(text, { aiAgents: AI_CRAWLER_TOKENS, trapPrefixes: [TRAP_PATH_PREFIX], contentSignal });
  return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "public, max-age=3600" } });
}

/** Following the hidden link served to this client is a honeypot hit: a label that keeps it in the maze for a day. */
async function labelHoneypot(state: IsolateState, env: EdgeGuardEnv, facts: RequestFacts): Promise<void> {
  const entry: BlocklistEntry = { action: "tarpit", reason: "honeypot", source: "edge", at: facts.receivedAt };
  const key = siteKeys(siteOf(facts)).ip(facts.ip);
  state.blocklist.remember(key, entry, facts.receivedAt, OWN_LABEL_HOLD_MS);
  // Through the store: the label is noted in the RangeIndex's listed addresses, so every isolate reads it.
  await new BlocklistStore(env, "edge")
    .put([{ key, entry, ttlSeconds: HONEYPOT_LABEL_TTL_S }], facts.receivedAt)
    .catch((error: unknown) => state.faults.record("honeypot", error));
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
    reasons: outcome.reasons
      .slice(0, 64)
      .map((r) => ({ code: r.code, weight: r.weight, ...(r.detail === undefined ? {} : { detail: r.detail.slice(0, 200) }) })),
    counts: outcome.counts,
    signals: outcome.reasons.slice(0, 64).map((r) => r.code.slice(0, 64)),
    ...(outcome.label === undefined ? {} : { label: outcome.label }),
    ...(facts.site === undefined || facts.site === DEFAULT_SITE_ID ? {} : { site: facts.site }),
  };
}

async function queueSend(state: IsolateState, env: EdgeGuardEnv, message: DecisionReport): Promise<void> {
  await state.reports.decision(message, env.REPORTS);
}

/**
 * Reports one decision, paid per suspicion: a quiet client's allowed request (nothing weighed against it, no label)
 * is counted into the isolate's summary; every other decision is its own message, sent at once.
 */
function report(state: IsolateState, env: EdgeGuardEnv, facts: RequestFacts, a: Assessment, waitUntil: WaitUntil): void {
  const { verdict, counts } = a;
  const label = edgeLabel(facts.path, a.entry !== null, verdict.action, verdict.reasons);
  if (quietAllow(verdict.action, verdict.reasons, label, a.entry !== null)) {
    const kind = requestKind(facts);
    const work = state.reports.allowed(
      { ip: facts.ip, userAgent: facts.userAgent, path: facts.path, at: facts.receivedAt, kind, site: siteOf(facts) },
      env.REPORTS,
      summaryMaxWaitMs(env.SUMMARY_MAX_WAIT_MS),
    );
    if (work !== null) waitUntil(work);
    return;
  }
  const message = baseReport(facts, {
    action: verdict.action,
    score: verdict.score,
    reasons: verdict.reasons,
    ...(label === undefined ? {} : { label }),
    counts: { hits1m: counts.ip.m1, hits10m: counts.ip.m10, tarpitHits: counts.ipTarpit.m10 + (verdict.action === "tarpit" ? 1 : 0) },
  });
  waitUntil(state.reports.decision(message, env.REPORTS));
}

/** An allowed request that says nothing new: no reason weighs against it, no label, no list entry. */
function quietAllow(
  action: DecisionReport["action"],
  reasons: readonly Reason[],
  label: ReportLabel | undefined,
  listed: boolean,
): boolean {
  return action === "allow" && label === undefined && !listed && !reasons.some((r) => r.weight > 0);
}
