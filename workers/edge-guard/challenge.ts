// The challenge: a proof-of-work page (or Turnstile), a no-JS form with a server-side wait, and the pass cookie.
//
// Status: the page answers 503 + Retry-After. A 503 tells search engines "temporary, come back later": they do not
// index its body and keep what they already indexed. 200 could get the page indexed in place of the content; 429
// says "you sent too many requests", which is a reason, and some HTTP clients retry it on their own; 403 reads as
// a permanent refusal. (Verified search crawlers should never be challenged anyway.)
//
// Without TOKEN_SECRET (or with one under 32 characters) nothing is challenged: tickets and passes would be
// forgeable. `challengeConfig` returns null and logs loudly; the caller then lets the request through (fail open).
import { Hono, type Context } from "hono";
import { z } from "zod";
import {
  COUNTER_RE,
  difficultyFor,
  MAX_POW_BITS,
  meetsDifficulty,
  MIN_POW_BITS,
  nojsWaitLeftMs,
  NonceLedger,
  PASS_TTL_S,
  powInput,
  RecentEvents,
  safeReturnPath,
  type DifficultyThresholds,
  type SolveMethod,
  type TicketClaims,
} from "../../core/challenge";
import { readEvidence, type EvidenceRefusal } from "../../core/automation-evidence";
import type { RequestFacts } from "../../core/request-facts";
import { CHALLENGE_BASE, CHALLENGE_JS, POW_WORKER_JS } from "./challenge-assets";
import { challengePageResponse } from "./challenge-page";
import { issuePass, issueTicket, sha256, verifyPass, verifyTicket, type TokenRefusal } from "./challenge-tokens";
import { readFacts } from "./facts";

/** The bindings the challenge reads (the lead adds them to EdgeGuardEnv). */
export interface ChallengeEnv {
  readonly DEV_CLIENT_OVERRIDES: string;
  /** HS256 key for tickets and passes, at least 32 characters. Missing: challenges are off (fail open). */
  readonly TOKEN_SECRET?: string;
  /** Both set: Turnstile replaces the proof of work. */
  readonly TURNSTILE_SITE_KEY?: string;
  readonly TURNSTILE_SECRET?: string;
}

/** Challenge settings read from the environment. */
export interface ChallengeConfig {
  readonly secret: string;
  readonly turnstile: { readonly siteKey: string; readonly secret: string } | null;
}

const MIN_SECRET_CHARS = 32;

/** What was logged already in this isolate (part of its state), so a misconfiguration is said once, not per request. */
export interface ChallengeWarnings {
  challengeOff: boolean;
}

/**
 * Challenge settings, or null when TOKEN_SECRET is missing or too short: then never challenge (logged once per
 * `warnings`, the isolate's).
 */
export function challengeConfig(env: ChallengeEnv, warnings: ChallengeWarnings = { challengeOff: false }): ChallengeConfig | null {
  const secret = env.TOKEN_SECRET ?? "";
  if (secret.length < MIN_SECRET_CHARS) {
    if (!warnings.challengeOff) {
      warnings.challengeOff = true;
      console.error(
        JSON.stringify({
          msg: "TOKEN_SECRET missing or under 32 characters: challenges are OFF, challenged requests are allowed",
          code: "challenge_disabled",
        }),
      );
    }
    return null;
  }
  const siteKey = env.TURNSTILE_SITE_KEY ?? "";
  const turnstileSecret = env.TURNSTILE_SECRET ?? "";
  return { secret, turnstile: siteKey !== "" && turnstileSecret !== "" ? { siteKey, secret: turnstileSecret } : null };
}

/** Options of the challenge page. */
export interface ChallengePageOptions {
  /** The policy's thresholds: difficulty rises over [challenge, tarpit]. Default: always the least work. */
  readonly thresholds?: DifficultyThresholds;
  /** Set: show Turnstile instead of the proof of work. */
  readonly turnstileSiteKey?: string;
}

/** The challenge page for a request that scored `score` (503, noindex). Its ticket returns the client to the same path. */
export async function challengeResponse(
  request: Request,
  facts: RequestFacts,
  score: number,
  secret: string,
  now: number,
  options: ChallengePageOptions = {},
): Promise<Response> {
  const url = new URL(request.url);
  const bits = options.thresholds === undefined ? MIN_POW_BITS : difficultyFor(score, options.thresholds);
  return freshChallenge(facts, secret, now, bits, safeReturnPath(url.pathname + url.search), options.turnstileSiteKey);
}

/** The outcome of reading a pass cookie. `reason` is internal; `binding` keys the pass's page budget. */
export type PassCheck =
  | { readonly valid: true; readonly method: SolveMethod; readonly binding: string }
  | { readonly valid: false; readonly reason: "missing" | TokenRefusal };

/** Checks the pass cookie: signature, expiry, and binding to this client's IP prefix and User-Agent. */
export async function readPass(request: Request, facts: RequestFacts, secret: string, now: number): Promise<PassCheck> {
  const token = readCookie(request.headers.get("cookie") ?? "", passCookieName(request));
  if (token === null) return { valid: false, reason: "missing" };
  const verified = await verifyPass(secret, token, facts, now);
  return verified.ok ? { valid: true, method: verified.value.m, binding: verified.value.b } : { valid: false, reason: verified.error };
}

/** What happened at a verify endpoint, for reports, labels and fleet evidence. Never shown to the client. */
export type ChallengeOutcome =
  /** A pass was issued. `evidence` lists the (weak) flags the page script saw; none for no-JS. */
  | { readonly kind: "solved"; readonly method: SolveMethod; readonly evidence: readonly string[] }
  /** The page script saw automation: no pass. */
  | { readonly kind: "automation"; readonly evidence: readonly string[] }
  /** The evidence fields were missing or malformed (the page script always sends them): forged, no pass. */
  | { readonly kind: "forged-evidence"; readonly refusal: EvidenceRefusal }
  /** No-JS pass refused: its fleet group or network prefix used up its no-JS passes for the hour. */
  | { readonly kind: "nojs-budget" };

/** How the challenge routes are wired. */
export interface ChallengeRouteOptions<E extends ChallengeEnv = ChallengeEnv> {
  /**
   * Called once per verify outcome (see ChallengeOutcome), with the verify request's URL (its host names the site).
   * Runs in waitUntil when there is an execution context.
   */
  readonly onOutcome: (env: E, facts: RequestFacts, outcome: ChallengeOutcome, url: string) => void | Promise<void>;
  /** Asked before a no-JS pass is issued: the cross-isolate budget per fleet group and prefix. Default: always. */
  readonly nojsAllowed?: (env: E, facts: RequestFacts, at: number) => Promise<boolean>;
  /** Clock, epoch ms (tests inject one). */
  readonly now?: () => number;
  /** Least time between page and no-JS form. Default 5 s. */
  readonly nojsWaitMs?: number;
  /** Most no-JS passes per IP per minute, per isolate. Default 3. */
  readonly nojsPassesPerMinute?: number;
  /** Turnstile siteverify endpoint and the fetch used to reach it (tests inject a stand-in). */
  readonly turnstileVerifyUrl?: string;
  readonly fetch?: typeof fetch;
  /** The isolate's once-only warnings (its state); default: a fresh record per call. */
  readonly warnings?: () => ChallengeWarnings;
}

const SITEVERIFY_URL = "https://challenges.cloudflare.com/turnstile/v0/siteverify";
const SCRIPT_HEADERS = {
  "content-type": "text/javascript; charset=utf-8",
  "cache-control": "public, max-age=3600",
  "x-content-type-options": "nosniff",
};

/** The `/.well-known/edge-guard/*` routes: the two scripts and the two verify endpoints. Mount before the decision. */
export function challengeRoutes<E extends ChallengeEnv>(options: ChallengeRouteOptions<E>): Hono<{ Bindings: E }> {
  const now = options.now ?? Date.now;
  const nojsWaitMs = options.nojsWaitMs ?? 5_000;
  const nonces = new NonceLedger();
  const limiter = new RecentEvents(options.nojsPassesPerMinute ?? 3);
  const routes = new Hono<{ Bindings: E }>();

  routes.get(`${CHALLENGE_BASE}/challenge.js`, () => new Response(CHALLENGE_JS, { headers: SCRIPT_HEADERS }));
  routes.get(`${CHALLENGE_BASE}/pow-worker.js`, () => new Response(POW_WORKER_JS, { headers: SCRIPT_HEADERS }));

  routes.post(`${CHALLENGE_BASE}/verify`, async (c) => {
    const posted = await submission(c);
    if ("answer" in posted) return posted.answer;
    const { config, at, facts, form, claims } = posted;
    const solved =
      claims.m === "pow"
        ? await workIsDone(claims, form.counter)
        : config.turnstile !== null && (await turnstilePassed(form.turnstile, config.turnstile.secret, facts, options));
    if (!solved || !nonces.use(claims.n, claims.exp * 1000, at)) return retry(facts, config, at, claims);
    // A solved challenge proves only that something computed it: the evidence can take the pass away.
    const evidence = readEvidence(form.evidence, form.nua, facts.userAgent);
    if (!evidence.ok || evidence.value.automation) {
      const outcome: ChallengeOutcome = evidence.ok
        ? { kind: "automation", evidence: evidence.value.flags }
        : { kind: "forged-evidence", refusal: evidence.error };
      await notify(c, facts, outcome);
      // The same answer as a success, without the pass: nothing tells the client what was seen.
      return redirect(safeReturnPath(claims.r));
    }
    return passed(c, facts, config.secret, claims.m, claims.r, at, evidence.value.flags);
  });

  routes.post(`${CHALLENGE_BASE}/verify-nojs`, async (c) => {
    const posted = await submission(c);
    if ("answer" in posted) return posted.answer;
    const { config, at, facts, form, claims } = posted;
    const waitLeftMs = nojsWaitLeftMs(claims.iat, at, nojsWaitMs);
    // Too early, or too many no-JS passes from this IP: the same ticket, and a request to wait.
    if (waitLeftMs > 0) return waitPage(form.ticket, claims, waitLeftMs / 1000);
    if (!limiter.allows(facts.ip, at)) return waitPage(form.ticket, claims, 60);
    if (!nonces.use(claims.n, claims.exp * 1000, at)) return retry(facts, config, at, claims);
    limiter.record(facts.ip, at);
    if (options.nojsAllowed !== undefined && !(await nojsAllowedSafely(options.nojsAllowed, c.env, facts, at))) {
      await notify(c, facts, { kind: "nojs-budget" });
      return waitPage(form.ticket, claims, 600);
    }
    return passed(c, facts, config.secret, "nojs", claims.r, at, []);
  });

  /** A posted answer, read and its ticket checked (both verify routes start here); or the response to give instead. */
  async function submission(c: Context<{ Bindings: E }>) {
    const config = challengeConfig(c.env, options.warnings?.());
    if (config === null) return { answer: redirect("/") };
    const at = now();
    const facts = readFacts(c.req.raw, c.env.DEV_CLIENT_OVERRIDES === "on", at);
    const form = await readForm(c);
    const ticket = await verifyTicket(config.secret, form.ticket, facts, at);
    if (!ticket.ok) return { answer: await retry(facts, config, at, ticket.error.claims) };
    return { config, at, facts, form, claims: ticket.value };
  }

  async function passed(
    c: Context<{ Bindings: E }>,
    facts: RequestFacts,
    secret: string,
    method: SolveMethod,
    to: string,
    at: number,
    evidence: readonly string[],
  ) {
    const pass = await issuePass(secret, facts, method, at);
    const response = redirect(safeReturnPath(to));
    response.headers.append("set-cookie", passCookie(c.req.raw, pass));
    await notify(c, facts, { kind: "solved", method, evidence });
    return response;
  }

  /** Runs onOutcome off the response path (awaited when there is no execution context, as in app.request tests). */
  async function notify(c: Context<{ Bindings: E }>, facts: RequestFacts, outcome: ChallengeOutcome): Promise<void> {
    const report = Promise.resolve()
      .then(() => options.onOutcome(c.env, facts, outcome, c.req.url))
      .catch((error: unknown) =>
        console.error(JSON.stringify({ msg: "challenge onOutcome failed", code: "challenge_report", error: String(error) })),
      );
    const ctx = executionCtx(c);
    if (ctx === null) await report;
    else ctx.waitUntil(report);
  }

  return routes;
}

/** A new challenge after a failed attempt: same return path and difficulty when the old ticket was authentic. */
function retry(facts: RequestFacts, config: ChallengeConfig, at: number, claims: TicketClaims | undefined): Promise<Response> {
  return freshChallenge(facts, config.secret, at, claims?.d ?? MAX_POW_BITS, claims?.r ?? "/", config.turnstile?.siteKey);
}

async function freshChallenge(
  facts: RequestFacts,
  secret: string,
  now: number,
  bits: number,
  returnPath: string,
  turnstileSiteKey: string | undefined,
): Promise<Response> {
  const method = turnstileSiteKey === undefined ? "pow" : "turnstile";
  const { token, claims } = await issueTicket(secret, facts, { bits, returnPath, method }, now);
  return challengePageResponse({ ticket: token, nonce: claims.n, bits, turnstileSiteKey, retryAfterS: 5 });
}

function waitPage(ticket: string, claims: TicketClaims, retryAfterS: number): Response {
  return challengePageResponse({ ticket, nonce: claims.n, bits: claims.d, notice: "wait", retryAfterS });
}

async function workIsDone(claims: TicketClaims, counter: string): Promise<boolean> {
  if (!COUNTER_RE.test(counter)) return false;
  return meetsDifficulty(await sha256(powInput(claims.n, counter)), claims.d);
}

const SiteverifyReplySchema = z.object({ success: z.boolean() });

/** Asks Turnstile's siteverify whether the widget's token is good. Any failure counts as "no" (the no-JS path stays open). */
async function turnstilePassed(
  token: string,
  secret: string,
  facts: RequestFacts,
  options: Pick<ChallengeRouteOptions, "fetch" | "turnstileVerifyUrl">,
): Promise<boolean> {
  if (token === "" || token.length > 2048) return false;
  const body = new URLSearchParams({ secret, response: token, remoteip: facts.ip });
  try {
    const reply = await (options.fetch ?? fetch)(options.turnstileVerifyUrl ?? SITEVERIFY_URL, { method: "POST", body });
    const parsed = SiteverifyReplySchema.safeParse(reply.ok ? await reply.json() : null);
    return parsed.success && parsed.data.success;
  } catch (error) {
    console.error(JSON.stringify({ msg: "turnstile siteverify failed", code: "turnstile_unreachable", error: String(error) }));
    return false;
  }
}

/** The no-JS budget check; a fault there fails open (the pass is issued) and is logged. */
async function nojsAllowedSafely<E>(
  check: (env: E, facts: RequestFacts, at: number) => Promise<boolean>,
  env: E,
  facts: RequestFacts,
  at: number,
): Promise<boolean> {
  try {
    return await check(env, facts, at);
  } catch (error) {
    console.error(JSON.stringify({ msg: "no-JS pass budget unreachable, failed open", code: "fault_pass", error: String(error) }));
    return true;
  }
}

const MAX_FORM_BYTES = 16_384;

interface ChallengeForm {
  readonly ticket: string;
  readonly counter: string;
  readonly turnstile: string;
  /** The page script's automation evidence and navigator.userAgent; null when the field is absent. */
  readonly evidence: string | null;
  readonly nua: string | null;
}

async function readForm(c: Context): Promise<ChallengeForm> {
  let body: Record<string, unknown> = {};
  try {
    // The form is ~1 KB; refuse to buffer a large body (it then fails like a bad ticket).
    if (Number(c.req.header("content-length") ?? "0") <= MAX_FORM_BYTES) body = await c.req.parseBody();
  } catch {
    // A malformed body is just an empty form: the ticket check fails and a fresh challenge follows.
  }
  const field = (name: string): string => {
    const value = body[name];
    return typeof value === "string" ? value : "";
  };
  const optional = (name: string): string | null => (typeof body[name] === "string" ? (body[name] as string) : null);
  return {
    ticket: field("ticket"),
    counter: field("counter"),
    turnstile: field("cf-turnstile-response"),
    evidence: optional("evidence"),
    nua: optional("nua"),
  };
}

function redirect(to: string): Response {
  return new Response(null, { status: 303, headers: { location: to, "cache-control": "no-store" } });
}

/** `__Host-` needs Secure, which needs https; plain http (local dev) gets a plain name. */
function passCookieName(request: Request): string {
  return new URL(request.url).protocol === "https:" ? "__Host-eg_pass" : "eg_pass";
}

function passCookie(request: Request, token: string): string {
  const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
  return `${passCookieName(request)}=${token}; Max-Age=${PASS_TTL_S}; Path=/; HttpOnly; SameSite=Lax${secure}`;
}

function readCookie(header: string, name: string): string | null {
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function executionCtx(c: Context): { waitUntil(promise: Promise<unknown>): void } | null {
  try {
    return c.executionCtx;
  } catch {
    // No execution context (app.request in tests): the caller awaits instead.
    return null;
  }
}
