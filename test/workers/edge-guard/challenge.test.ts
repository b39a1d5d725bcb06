import { describe, expect, it } from "vitest";
import { MIN_POW_BITS } from "../../../core/challenge";
import { challengeResponse, readPass, type ChallengeEnv } from "../../../workers/edge-guard/challenge";
import {
  BASE,
  claimsOf,
  cookiePair,
  ENV,
  factsFor,
  freshIp,
  harness,
  LYNX_UA,
  readPage,
  SECRET,
  solve,
  solveChallenge,
  UA,
  unsolved,
} from "./challenge-harness";

describe("challenge page", () => {
  it("answers 503 + Retry-After, noindex, no-store, a strict CSP, and no reason", async () => {
    const h = harness();
    const response = await h.request("/articles/x", freshIp());
    expect(response.status).toBe(503);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(response.headers.get("x-robots-tag")).toMatch(/noindex/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const page = await readPage(response);
    expect(page.html).toContain('<meta name="robots" content="noindex');
    expect(page.html).not.toMatch(/<script>|<script(?![^>]*\ssrc=)/); // no inline script
    expect(page.html).toContain(`action="${BASE}/verify-nojs"`);
    expect(page.html).toMatch(/<noscript>[\s\S]*Continue[\s\S]*<\/noscript>/);
    const text = page.html.replace(/"[\w.-]{16,}"/g, '""'); // random tokens could spell anything
    expect(text).not.toMatch(/\b(score|reasons?|crawlers?|burst|blocklist|bots?|ai|automated)\b/i);
    expect(page.bits).toBe(MIN_POW_BITS);
    expect(claimsOf(page.ticket)).toMatchObject({ r: "/articles/x", d: MIN_POW_BITS, m: "pow" });
  });

  it("asks for more work as the score nears the tarpit threshold", async () => {
    const request = new Request("http://site.test/a");
    const facts = factsFor("192.0.2.1");
    const bitsAt = async (score: number) =>
      (await readPage(await challengeResponse(request, facts, score, SECRET, Date.now(), { thresholds: { challenge: 40, tarpit: 70 } })))
        .bits;
    expect([await bitsAt(40), await bitsAt(55), await bitsAt(69)]).toEqual([MIN_POW_BITS, 17, 20]);
  });

  it("serves its two scripts as JavaScript", async () => {
    const h = harness();
    for (const name of ["challenge.js", "pow-worker.js"]) {
      const response = await h.request(`${BASE}/${name}`, freshIp());
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
      expect(await response.text()).toContain("use strict");
    }
  });
});

describe("proof of work", () => {
  it("sets a pass for solved work, redirects back, and reports a human label", async () => {
    const h = harness();
    const ip = freshIp();
    const { response } = await solveChallenge(h, ip);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/articles/x?page=2");
    const setCookie = response.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^eg_pass=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(h.solved).toEqual([{ ip, method: "pow" }]);
    const next = await h.request("/articles/x?page=2", ip, { cookie: cookiePair(response) });
    expect(next.status).toBe(200);
    expect(await next.text()).toBe("origin via pow");
  });

  it("uses a __Host- cookie with Secure over https", async () => {
    const h = harness();
    const ip = freshIp();
    const page = await readPage(await h.request("/", ip, { origin: "https://site.test" }));
    const response = await h.post(
      `${BASE}/verify`,
      ip,
      { ticket: page.ticket, counter: await solve(page.nonce, page.bits), evidence: "", nua: UA },
      { origin: "https://site.test" },
    );
    expect(response.headers.get("set-cookie")).toMatch(/^__Host-eg_pass=.*; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
    const next = await h.request("/", ip, { origin: "https://site.test", cookie: cookiePair(response) });
    expect(await next.text()).toBe("origin via pow");
  });

  it("refuses a wrong counter, a tampered ticket, an expired ticket and a replay with a fresh challenge", async () => {
    const h = harness();
    const ip = freshIp();
    const page = await readPage(await h.request("/deep/page", ip));
    const counter = await solve(page.nonce, page.bits);

    const wrong = await h.post(`${BASE}/verify`, ip, {
      ticket: page.ticket,
      counter: await unsolved(page.nonce, page.bits, Number(counter)),
    });
    expect(wrong.status).toBe(503);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    expect(claimsOf((await readPage(wrong)).ticket)).toMatchObject({ r: "/deep/page" });

    const [head = "", payload = "", signature = ""] = page.ticket.split(".");
    const easier = btoa(JSON.stringify({ ...claimsOf(page.ticket), d: 1 }))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");
    for (const ticket of [`${head}.${easier}.${signature}`, `${head}.${payload}.${signature.slice(0, -2)}AA`, "not-a-jwt", ""]) {
      const tampered = await h.post(`${BASE}/verify`, ip, { ticket, counter });
      expect(tampered.status).toBe(503);
      expect(tampered.headers.get("set-cookie")).toBeNull();
    }

    h.clock.now += 301_000;
    const expired = await h.post(`${BASE}/verify`, ip, { ticket: page.ticket, counter });
    expect(expired.status).toBe(503);
    expect(expired.headers.get("set-cookie")).toBeNull();
    expect(claimsOf((await readPage(expired)).ticket)).toMatchObject({ r: "/deep/page", d: page.bits });

    const fresh = await solveChallenge(h, ip, "/deep/page");
    expect(fresh.response.status).toBe(303);
    const replay = await h.post(`${BASE}/verify`, ip, { ticket: fresh.page.ticket, counter: fresh.counter });
    expect(replay.status).toBe(503);
    expect(h.solved).toHaveLength(1);
  });

  it("refuses a ticket solved from another network or browser", async () => {
    const h = harness();
    const page = await readPage(await h.request("/", "203.0.113.10"));
    const counter = await solve(page.nonce, page.bits);
    expect((await h.post(`${BASE}/verify`, "203.0.114.10", { ticket: page.ticket, counter })).status).toBe(503);
    expect((await h.post(`${BASE}/verify`, "203.0.113.10", { ticket: page.ticket, counter }, { ua: `${UA} x` })).status).toBe(503);
    // The same /24 is the same client (carrier NAT, dual-stack churn).
    expect((await h.post(`${BASE}/verify`, "203.0.113.99", { ticket: page.ticket, counter })).status).toBe(303);
  });

  it("never redirects off-site", async () => {
    const h = harness();
    for (const path of ["//evil.example/", "/\\evil.example/"]) {
      const { response } = await solveChallenge(h, freshIp(), path);
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/");
    }
  });
});

describe("readPass", () => {
  it("accepts a pass only from the same /24 and User-Agent, and only until it expires", async () => {
    const h = harness();
    const { response } = await solveChallenge(h, "192.0.2.10");
    const cookie = cookiePair(response);
    const withCookie = new Request("http://site.test/", { headers: { cookie } });
    const now = h.clock.now;
    expect(await readPass(withCookie, factsFor("192.0.2.200"), SECRET, now)).toMatchObject({
      valid: true,
      method: "pow",
      binding: expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/),
    });
    expect(await readPass(withCookie, factsFor("192.0.3.10"), SECRET, now)).toEqual({ valid: false, reason: "binding" });
    expect(await readPass(withCookie, factsFor("192.0.2.10", "curl/8.5.0"), SECRET, now)).toEqual({ valid: false, reason: "binding" });
    expect(await readPass(withCookie, factsFor("192.0.2.10"), SECRET, now + 3_601_000)).toEqual({ valid: false, reason: "expired" });
    expect(await readPass(withCookie, factsFor("192.0.2.10"), `${SECRET}-other`, now)).toEqual({ valid: false, reason: "signature" });
    expect(await readPass(new Request("http://site.test/"), factsFor("192.0.2.10"), SECRET, now)).toEqual({
      valid: false,
      reason: "missing",
    });
  });

  it("does not take a ticket for a pass", async () => {
    const h = harness();
    const page = await readPage(await h.request("/", "192.0.2.50"));
    const request = new Request("http://site.test/", { headers: { cookie: `eg_pass=${page.ticket}` } });
    expect(await readPass(request, factsFor("192.0.2.50"), SECRET, h.clock.now)).toEqual({ valid: false, reason: "malformed" });
  });
});

describe("no-JS path", () => {
  it("asks to wait when the form comes too early, then lets the client through", async () => {
    const h = harness();
    const ip = freshIp();
    const page = await readPage(await h.request("/library", ip, { ua: LYNX_UA }));
    h.clock.now += 1_000;
    const early = await h.post(`${BASE}/verify-nojs`, ip, { ticket: page.ticket }, { ua: LYNX_UA });
    expect(early.status).toBe(503);
    expect(early.headers.get("set-cookie")).toBeNull();
    const wait = await readPage(early);
    expect(wait.html).toMatch(/wait a few more seconds/i);
    expect(wait.ticket).toBe(page.ticket); // the wait already served still counts
    h.clock.now += 4_000;
    const late = await h.post(`${BASE}/verify-nojs`, ip, { ticket: page.ticket }, { ua: LYNX_UA });
    expect(late.status).toBe(303);
    expect(late.headers.get("location")).toBe("/library");
    const next = await h.request("/library", ip, { ua: LYNX_UA, cookie: cookiePair(late) });
    expect(await next.text()).toBe("origin via nojs");
    expect(h.solved).toEqual([{ ip, method: "nojs" }]);
  });

  it("lets an IP through this way only a few times a minute", async () => {
    const h = harness({ nojsWaitMs: 0, nojsPassesPerMinute: 2 });
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await readPage(await h.request("/", ip, { ua: LYNX_UA }));
      statuses.push((await h.post(`${BASE}/verify-nojs`, ip, { ticket: page.ticket }, { ua: LYNX_UA })).status);
    }
    expect(statuses).toEqual([303, 303, 503]);
    h.clock.now += 61_000;
    const page = await readPage(await h.request("/", ip, { ua: LYNX_UA }));
    expect((await h.post(`${BASE}/verify-nojs`, ip, { ticket: page.ticket }, { ua: LYNX_UA })).status).toBe(303);
  });
});

describe("Turnstile", () => {
  const env: ChallengeEnv = { ...ENV, TURNSTILE_SITE_KEY: "1x00000000000000000000AA", TURNSTILE_SECRET: "turnstile-secret" };

  it("shows the widget instead of the work and checks the token with siteverify", async () => {
    const seen: URLSearchParams[] = [];
    const standIn: typeof fetch = async (input, init) => {
      expect(String(input)).toBe("http://siteverify.test/");
      const form = new URLSearchParams(String(init?.body));
      seen.push(form);
      return Response.json({ success: form.get("response") === "good-token" });
    };
    const h = harness({ turnstileVerifyUrl: "http://siteverify.test/", fetch: standIn }, env);
    const ip = freshIp();
    const response = await h.request("/", ip);
    expect(response.status).toBe(503);
    expect(response.headers.get("content-security-policy")).toContain("https://challenges.cloudflare.com");
    const page = await readPage(response);
    expect(page.html).toContain('class="cf-turnstile" data-sitekey="1x00000000000000000000AA"');
    expect(page.html).toContain("<noscript>");

    const bad = await h.post(`${BASE}/verify`, ip, { ticket: page.ticket, "cf-turnstile-response": "bad-token" });
    expect(bad.status).toBe(503);
    const good = await h.post(`${BASE}/verify`, ip, { ticket: page.ticket, "cf-turnstile-response": "good-token", evidence: "", nua: UA });
    expect(good.status).toBe(303);
    expect(h.solved).toEqual([{ ip, method: "turnstile" }]);
    expect(seen.map((f) => [f.get("secret"), f.get("remoteip")])).toEqual([
      ["turnstile-secret", ip],
      ["turnstile-secret", ip],
    ]);
  });
});

describe("automation evidence posted with the proof of work", () => {
  const verifyWith = async (fields: Record<string, string>, ua = UA) => {
    const h = harness();
    const ip = freshIp();
    const page = await readPage(await h.request("/articles/x", ip, { ua }));
    const counter = await solve(page.nonce, page.bits);
    const response = await h.post(`${BASE}/verify`, ip, { ticket: page.ticket, counter, ...fields }, { ua });
    return { response, outcomes: h.outcomes.map((o) => o.outcome) };
  };

  it("issues a pass for clean evidence, a human solve", async () => {
    const { response, outcomes } = await verifyWith({ evidence: "", nua: UA });
    expect(response.status).toBe(303);
    expect(cookiePair(response)).toMatch(/^eg_pass=/);
    expect(outcomes).toEqual([{ kind: "solved", method: "pow", evidence: [] }]);
  });

  it("keeps a weak flag as information and still issues the pass", async () => {
    const { response, outcomes } = await verifyWith({ evidence: "no-languages", nua: UA });
    expect(cookiePair(response)).toMatch(/^eg_pass=/);
    expect(outcomes).toEqual([{ kind: "solved", method: "pow", evidence: ["no-languages"] }]);
  });

  it.each([
    ["navigator.webdriver", { evidence: "webdriver", nua: UA }, ["webdriver"]],
    ["HeadlessChrome in the page", { evidence: "headless-ua,no-languages", nua: UA }, ["headless-ua", "no-languages"]],
    ["automation globals", { evidence: "automation-globals", nua: UA }, ["automation-globals"]],
    ["a User-Agent header rewritten outside the browser", { evidence: "", nua: `${UA} HeadlessChrome` }, ["ua-mismatch"]],
  ])("refuses the pass for %s, with the same redirect a success gets", async (_name, fields, flags) => {
    const { response, outcomes } = await verifyWith(fields);
    expect(response.status).toBe(303);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(outcomes).toEqual([{ kind: "automation", evidence: flags }]);
  });

  it.each([
    ["no evidence fields", {}, "missing"],
    ["an unknown flag", { evidence: "webdriver-off", nua: UA }, "malformed"],
    ["a repeated flag", { evidence: "no-languages,no-languages", nua: UA }, "malformed"],
    ["a huge evidence field", { evidence: "no-languages,".repeat(100), nua: UA }, "malformed"],
  ])("treats %s as forged: no pass, never a 5xx", async (_name, fields, refusal) => {
    const { response, outcomes } = await verifyWith(fields);
    expect(response.status).toBe(303);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(outcomes).toEqual([{ kind: "forged-evidence", refusal }]);
  });

  it("reports a no-JS pass as solved by nojs (no evidence), and refuses it when the budget says no", async () => {
    let allowed = true;
    const h = harness({ nojsWaitMs: 0, nojsAllowed: async () => allowed });
    const ip = freshIp();
    const first = await readPage(await h.request("/library", ip, { ua: LYNX_UA }));
    const pass = await h.post(`${BASE}/verify-nojs`, ip, { ticket: first.ticket }, { ua: LYNX_UA });
    expect(cookiePair(pass)).toMatch(/^eg_pass=/);
    allowed = false;
    const ip2 = freshIp();
    const second = await readPage(await h.request("/library", ip2, { ua: LYNX_UA }));
    const refused = await h.post(`${BASE}/verify-nojs`, ip2, { ticket: second.ticket }, { ua: LYNX_UA });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("set-cookie")).toBeNull();
    expect(h.outcomes.map((o) => o.outcome)).toEqual([{ kind: "solved", method: "nojs", evidence: [] }, { kind: "nojs-budget" }]);
  });
});
