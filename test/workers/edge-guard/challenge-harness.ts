import { Hono } from "hono";
import { leadingZeroBits, type SolveMethod } from "../../../core/challenge";
import type { RequestFacts } from "../../../core/request-facts";
import {
  challengeConfig,
  challengeResponse,
  challengeRoutes,
  readPass,
  type ChallengeEnv,
  type ChallengeOutcome,
  type ChallengeRouteOptions,
} from "../../../workers/edge-guard/challenge";
import { readFacts } from "../../../workers/edge-guard/facts";

// Helpers for challenge.test.ts: the challenge routes with an injected clock (ticket expiry, replay, rate memory),
// and a client that reads and solves pages. The app below is NOT edge-guard's wiring: what edge-guard does with a
// verdict, a pass and an outcome is tested through the real app in challenge-app.test.ts.

export const SECRET = "test-secret-0123456789-abcdefghijklmnop";
export const ENV: ChallengeEnv = { DEV_CLIENT_OVERRIDES: "on", TOKEN_SECRET: SECRET };
export const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
export const LYNX_UA = "Lynx/2.9.0dev.12 libwww-FM/2.14 SSL-MM/1.4.1 GNUTLS/3.7.9";
export const BASE = "/.well-known/edge-guard";

let nextIp = 1;
/** A fresh client per test: the routes' replay and rate memory lives as long as the app. */
export const freshIp = () => `198.51.100.${nextIp++}`;

/** A small app wired the way the lead wires edge-guard: challenge routes first, then "pass or challenge". */
export function harness(options: Partial<ChallengeRouteOptions> = {}, env: ChallengeEnv = ENV) {
  const clock = { now: 1_800_000_000_000 };
  const solved: Array<{ ip: string; method: SolveMethod }> = [];
  const app = new Hono<{ Bindings: ChallengeEnv }>();
  const outcomes: Array<{ ip: string; outcome: ChallengeOutcome }> = [];
  app.route(
    "/",
    challengeRoutes({
      onOutcome: (_env, facts, outcome) => {
        outcomes.push({ ip: facts.ip, outcome });
        if (outcome.kind === "solved") solved.push({ ip: facts.ip, method: outcome.method });
      },
      now: () => clock.now,
      ...options,
    }),
  );
  app.all("*", async (c) => {
    const config = challengeConfig(c.env);
    if (config === null) return c.text("origin");
    const facts = readFacts(c.req.raw, true, clock.now);
    const pass = await readPass(c.req.raw, facts, config.secret, clock.now);
    if (pass.valid) return c.text(`origin via ${pass.method}`);
    return challengeResponse(c.req.raw, facts, 0, config.secret, clock.now, { turnstileSiteKey: config.turnstile?.siteKey });
  });
  const request = (path: string, ip: string, init: RequestInit & { ua?: string; cookie?: string; origin?: string } = {}) => {
    const headers = new Headers(init.headers);
    headers.set("cf-connecting-ip", ip);
    headers.set("user-agent", init.ua ?? UA);
    if (init.cookie !== undefined) headers.set("cookie", init.cookie);
    return app.request(`${init.origin ?? "http://site.test"}${path}`, { ...init, headers }, env);
  };
  const post = (path: string, ip: string, form: Record<string, string>, init: { ua?: string; origin?: string } = {}) =>
    request(path, ip, { ...init, method: "POST", body: new URLSearchParams(form) });
  return { app, clock, solved, outcomes, request, post };
}

export interface Page {
  readonly ticket: string;
  readonly nonce: string;
  readonly bits: number;
  readonly html: string;
}

export async function readPage(response: Response): Promise<Page> {
  const html = await response.text();
  const pick = (re: RegExp): string => re.exec(html)?.[1] ?? "";
  return {
    html,
    ticket: pick(/name="ticket" value="([^"]+)"/),
    nonce: pick(/data-nonce="([^"]+)"/),
    bits: Number(pick(/data-bits="(\d+)"/)),
  };
}

export async function solve(nonce: string, bits: number): Promise<string> {
  for (let counter = 0; ; counter++) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${nonce}${counter}`));
    if (leadingZeroBits(new Uint8Array(digest)) >= bits) return String(counter);
  }
}

/** The first counter after `from` that does not solve the work. */
export async function unsolved(nonce: string, bits: number, from: number): Promise<string> {
  for (let counter = from + 1; ; counter++) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${nonce}${counter}`));
    if (leadingZeroBits(new Uint8Array(digest)) < bits) return String(counter);
  }
}

export function claimsOf(ticket: string): Record<string, unknown> {
  const payload = ticket.split(".")[1] ?? "";
  return JSON.parse(atob(payload.replaceAll("-", "+").replaceAll("_", "/"))) as Record<string, unknown>;
}

export function cookiePair(response: Response): string {
  return (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

/** Loads a challenge page for `path`, solves it, and posts the answer. */
export async function solveChallenge(h: ReturnType<typeof harness>, ip: string, path = "/articles/x?page=2") {
  const page = await readPage(await h.request(path, ip));
  const counter = await solve(page.nonce, page.bits);
  // Clean evidence, as the page script posts it from a person's browser.
  const response = await h.post(`${BASE}/verify`, ip, { ticket: page.ticket, counter, evidence: "", nua: UA });
  return { page, counter, response };
}

export function factsFor(ip: string, ua = UA): RequestFacts {
  return readFacts(new Request("http://site.test/", { headers: { "cf-connecting-ip": ip, "user-agent": ua } }), true, 0);
}
