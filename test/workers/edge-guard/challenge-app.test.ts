import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env as rawEnv } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { DecisionReport } from "../../../core/report";
import { app, edgeGuardApp, type ChallengeSeams, isolateState } from "../../../workers/edge-guard/app";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { kvKeys } from "../../../core/kv-keys";
import { CHROME_NAVIGATION_HEADERS } from "../../support/browser-headers";
import { BASE, cookiePair, LYNX_UA, readPage, solve } from "./challenge-harness";

// The challenge through edge-guard's real app (workers/edge-guard/app.ts): policy → verdict → challenge page →
// verify routes → pass → origin, with the real bindings. Only the outer edge is replaced: Turnstile's siteverify,
// and the Queue, so the reports edge-guard sends can be read.

const env = rawEnv as unknown as EdgeGuardEnv;
const UA = CHROME_NAVIGATION_HEADERS["user-agent"] ?? "";
/** ASNs the test policy weighs (private-use numbers, so no other signal knows them). */
const ASN = { challenge: 64_601, below: 64_602, tarpit: 64_603, rule: 64_604 } as const;

beforeAll(async () => {
  // Before this file's first request: a fresh isolate reads the policy once.
  await env.BLOCKLIST.put(
    kvKeys.policy,
    JSON.stringify({
      version: 1,
      thresholds: { challenge: 40, tarpit: 80, block: 120 },
      rules: [
        { name: "weigh-challenge", match: { asn: [ASN.challenge] }, action: "weigh", weight: 45 },
        { name: "weigh-below", match: { asn: [ASN.below] }, action: "weigh", weight: 35 },
        { name: "weigh-tarpit", match: { asn: [ASN.tarpit] }, action: "weigh", weight: 85 },
        { name: "challenge-rule", match: { asn: [ASN.rule] }, action: "challenge" },
      ],
    }),
  );
});

let nextIp = 1;
const freshIp = () => `198.51.100.${nextIp++}`;

/** An env whose REPORTS queue records what edge-guard sends (the real one otherwise). */
function recording(over: Partial<EdgeGuardEnv> = {}): { env: EdgeGuardEnv; reports: DecisionReport[] } {
  const reports: DecisionReport[] = [];
  const queue = {
    send: async (body: DecisionReport) => void reports.push(body),
    sendBatch: async (batch: Iterable<{ body: DecisionReport }>) => void reports.push(...[...batch].map((m) => m.body)),
  } as unknown as Queue<DecisionReport>;
  return { env: { ...env, REPORTS: queue, ...over }, reports };
}

/** One request through an app, its waitUntil work (reports, labels) done before it returns. */
async function through(target: { fetch: typeof app.fetch }, e: EdgeGuardEnv, request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await target.fetch(request, e, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

function page(path: string, ip: string, init: { asn?: number; ua?: string; cookie?: string } = {}): Request {
  const headers = new Headers(CHROME_NAVIGATION_HEADERS);
  headers.set("cf-connecting-ip", ip);
  if (init.ua !== undefined) headers.set("user-agent", init.ua);
  if (init.asn !== undefined) headers.set("x-dev-cf", JSON.stringify({ asn: init.asn }));
  if (init.cookie !== undefined) headers.set("cookie", init.cookie);
  return new Request(`http://site.test${path}`, { headers });
}

function form(path: string, ip: string, fields: Record<string, string>, ua = UA): Request {
  return new Request(`http://site.test${path}`, {
    method: "POST",
    headers: { "cf-connecting-ip": ip, "user-agent": ua, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
}

const isChallenge = (r: Response) => r.status === 503 && r.headers.get("retry-after") !== null;

describe("policy → challenge, through the real app", () => {
  it("challenges a score between the challenge and tarpit thresholds, and nothing below or above", async () => {
    const { env: e } = recording();
    const challenged = await through(app, e, page("/", freshIp(), { asn: ASN.challenge }));
    expect(isChallenge(challenged)).toBe(true);
    expect(await challenged.text()).toContain('name="ticket"');
    const below = await through(app, e, page("/", freshIp(), { asn: ASN.below }));
    expect(below.status).toBe(200);
    expect(await below.text()).toContain('type="application/atom+xml"'); // the origin's page
    const above = await through(app, e, page("/", freshIp(), { asn: ASN.tarpit }));
    expect(above.headers.get("x-stub")).toBe("tarpit");
    await above.body?.cancel();
    const rule = await through(app, e, page("/", freshIp(), { asn: ASN.rule }));
    expect(isChallenge(rule)).toBe(true);
    await rule.body?.cancel();
  });
});

describe("a solved challenge, through the real app", () => {
  it("sets a pass that lets the client read the page, and reports a human label", async () => {
    const ip = freshIp();
    const { env: e, reports } = recording();
    const challenge = await readPage(await through(app, e, page("/page/2", ip, { asn: ASN.challenge })));
    const counter = await solve(challenge.nonce, challenge.bits);
    const verified = await through(app, e, form(`${BASE}/verify`, ip, { ticket: challenge.ticket, counter, evidence: "", nua: UA }));
    expect(verified.status).toBe(303);
    expect(verified.headers.get("location")).toBe("/page/2");
    const pass = cookiePair(verified);
    expect(pass).toMatch(/^eg_pass=/);
    const solved = reports.filter((r) => r.ip === ip && r.source === "challenge");
    expect(solved).toEqual([
      expect.objectContaining({ action: "allow", label: { kind: "challenge-solved", value: "human" }, signals: ["challenge-solved"] }),
    ]);

    const after = await through(app, e, page("/page/2", ip, { asn: ASN.challenge, cookie: pass }));
    expect(after.status).toBe(200);
    expect(await after.text()).toContain("<main");
  });

  it("takes the no-JS path: a pass, reported without a human label", async () => {
    const ip = freshIp();
    const { env: e, reports } = recording();
    const seamed = edgeGuardApp({ nojsWaitMs: 0 });
    const challenge = await readPage(await through(seamed, e, page("/tags", ip, { asn: ASN.challenge, ua: LYNX_UA })));
    expect(challenge.html).toContain(`${BASE}/verify-nojs`);
    const verified = await through(seamed, e, form(`${BASE}/verify-nojs`, ip, { ticket: challenge.ticket }, LYNX_UA));
    expect(verified.status).toBe(303);
    const pass = cookiePair(verified);
    expect(pass).toMatch(/^eg_pass=/);
    const nojs = reports.filter((r) => r.ip === ip && r.source === "challenge");
    expect(nojs).toEqual([expect.objectContaining({ signals: ["nojs-pass"] })]);
    expect(nojs[0]?.label).toBeUndefined(); // a no-JS pass proves nothing about a person
    const after = await through(seamed, e, page("/tags", ip, { asn: ASN.challenge, ua: LYNX_UA, cookie: pass }));
    expect(after.status).toBe(200);
    await after.body?.cancel();
  });

  it("takes the Turnstile path when it is configured, checking the token with siteverify", async () => {
    const ip = freshIp();
    const seen: URLSearchParams[] = [];
    const standIn: typeof fetch = async (_input, init) => {
      const body = new URLSearchParams(String(init?.body));
      seen.push(body);
      return Response.json({ success: body.get("response") === "good-token" });
    };
    const seams: ChallengeSeams = { turnstileVerifyUrl: "http://siteverify.test/", fetch: standIn };
    const seamed = edgeGuardApp(seams);
    const { env: e, reports } = recording({
      TURNSTILE_SITE_KEY: "1x00000000000000000000AA",
      TURNSTILE_SECRET: "turnstile-secret",
    } as Partial<EdgeGuardEnv>);
    const challenge = await readPage(await through(seamed, e, page("/", ip, { asn: ASN.challenge })));
    expect(challenge.html).toContain('data-sitekey="1x00000000000000000000AA"');
    const bad = await through(
      seamed,
      e,
      form(`${BASE}/verify`, ip, { ticket: challenge.ticket, "cf-turnstile-response": "bad-token", evidence: "", nua: UA }),
    );
    expect(isChallenge(bad)).toBe(true);
    await bad.body?.cancel();
    const good = await through(
      seamed,
      e,
      form(`${BASE}/verify`, ip, { ticket: challenge.ticket, "cf-turnstile-response": "good-token", evidence: "", nua: UA }),
    );
    expect(good.status).toBe(303);
    expect(cookiePair(good)).toMatch(/^eg_pass=/);
    expect(seen.map((f) => [f.get("secret"), f.get("remoteip")])).toEqual([
      ["turnstile-secret", ip],
      ["turnstile-secret", ip],
    ]);
    expect(reports.filter((r) => r.ip === ip && r.source === "challenge")).toEqual([
      expect.objectContaining({
        label: { kind: "challenge-solved", value: "human" },
        reasons: [expect.objectContaining({ detail: "turnstile" })],
      }),
    ]);
  });
});

describe("the challenge fails open, through the real app", () => {
  it("never challenges without a usable TOKEN_SECRET: the client gets the page", async () => {
    const { env: e } = recording({ TOKEN_SECRET: "too-short" });
    const response = await through(app, e, page("/", freshIp(), { asn: ASN.challenge }));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('type="application/atom+xml"');
    const verify = await through(app, e, form(`${BASE}/verify`, freshIp(), { ticket: "x", counter: "1" }));
    expect(verify.status).toBe(303);
    expect(verify.headers.get("set-cookie")).toBeNull();
  });

  it("lets the client through, and counts the fault, when building the challenge throws", async () => {
    const seamed = edgeGuardApp({
      challengePage: () => {
        throw new Error("challenge page bug");
      },
    });
    const { env: e } = recording();
    const before = isolateState().faults.counts().challenge;
    const response = await through(seamed, e, page("/", freshIp(), { asn: ASN.challenge }));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('type="application/atom+xml"');
    expect(isolateState().faults.counts().challenge).toBe(before + 1);
  });
});
