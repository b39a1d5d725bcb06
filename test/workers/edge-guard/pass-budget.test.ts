import { env as rawEnv, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { kvKeys } from "../../../core/kv-keys";
import { PASS_BUDGETS } from "../../../core/pass-budget";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { CHROME_NAVIGATION_HEADERS } from "../../support/browser-headers";
import { readPage, solve } from "./challenge-harness";

/**
 * The challenge through the real edge Worker (not a copy of its wiring): a browser User-Agent from a hosting
 * network is challenged; a clean solve earns a pass whose page budget holds; automation seen by the page script
 * earns none and lands the client in the labyrinth.
 */
const env = rawEnv as unknown as EdgeGuardEnv;
const UA = CHROME_NAVIGATION_HEADERS["user-agent"] ?? "";
/** AWS, as Cloudflare would report it: a hosting network. */
const CLOUD = JSON.stringify({ asn: 16509, httpProtocol: "HTTP/2", tlsVersion: "TLSv1.3" });

function get(path: string, ip: string, cookie?: string): Promise<Response> {
  const headers = { ...CHROME_NAVIGATION_HEADERS, "cf-connecting-ip": ip, "x-dev-cf": CLOUD, ...(cookie === undefined ? {} : { cookie }) };
  return exports.default.fetch(new Request(`http://site.test${path}`, { headers }));
}

/** The stylesheet a browser loads with every page (a client that loads nothing is a scraper, pass or not). */
function stylesheet(ip: string, cookie: string): Promise<Response> {
  const headers = {
    ...CHROME_NAVIGATION_HEADERS,
    "sec-fetch-dest": "style",
    "sec-fetch-mode": "no-cors",
    accept: "text/css,*/*;q=0.1",
    "cf-connecting-ip": ip,
    "x-dev-cf": CLOUD,
    cookie,
  };
  return exports.default.fetch(new Request("http://site.test/static/site.css", { headers }));
}

/** Loads the challenge for `ip`, solves it, and posts `evidence` with the answer; the verify response. */
async function solveWith(ip: string, evidence: string, nua = UA): Promise<Response> {
  const challenge = await get("/articles/france", ip);
  expect(challenge.status).toBe(503);
  const page = await readPage(challenge);
  const counter = await solve(page.nonce, page.bits);
  const body = new URLSearchParams({ ticket: page.ticket, counter, evidence, nua });
  return exports.default.fetch(
    new Request("http://site.test/.well-known/edge-guard/verify", {
      method: "POST",
      body,
      redirect: "manual", // the 303 itself, not the page it leads to
      headers: {
        ...CHROME_NAVIGATION_HEADERS,
        "cf-connecting-ip": ip,
        "x-dev-cf": CLOUD,
        "content-type": "application/x-www-form-urlencoded",
      },
    }),
  );
}

describe("a pass lowers friction, not scrutiny", () => {
  it("lets a pass holder read up to its minute's budget, then answers 503 with Retry-After and no page", async () => {
    const ip = "198.18.200.10";
    const verify = await solveWith(ip, "");
    expect(verify.status).toBe(303);
    const cookie = (verify.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(cookie).toMatch(/^eg_pass=/);
    const statuses: number[] = [];
    for (let i = 0; i < PASS_BUDGETS.pow.perMinute + 2; i++) {
      const response = await get(`/articles/france?read=${i}`, ip, cookie);
      statuses.push(response.headers.get("x-stub") === "tarpit" ? 0 : response.status);
      if (response.status === 503) {
        expect(response.headers.get("retry-after")).toBe("60");
        expect(await response.text()).not.toMatch(/budget|\bpass(?:es)?\b|automation|machine|\bbots?\b/i); // never tell the client why
      } else {
        await response.body?.cancel();
        expect((await stylesheet(ip, cookie)).status).not.toBe(503); // subresources never count against the budget
      }
    }
    expect(statuses.slice(0, PASS_BUDGETS.pow.perMinute)).toEqual(Array.from({ length: PASS_BUDGETS.pow.perMinute }, () => 200));
    expect(statuses.slice(PASS_BUDGETS.pow.perMinute)).toEqual([503, 503]);
    // Subresources never count against the budget, even past it.
    expect((await stylesheet(ip, cookie)).status).not.toBe(503);
  });

  it("refuses the pass when the page script saw automation, and keeps the client in the labyrinth", async () => {
    const ip = "198.18.201.10";
    const verify = await solveWith(ip, "webdriver");
    expect(verify.status).toBe(303);
    expect(verify.headers.get("set-cookie")).toBeNull();
    // The label is written off the response path (waitUntil): wait for it, boundedly.
    let label: unknown = null;
    for (let i = 0; i < 50 && label === null; i++) {
      label = await env.BLOCKLIST.get(kvKeys.ip(ip), "json");
      if (label === null) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(label).toMatchObject({ action: "tarpit", reason: expect.stringMatching(/automation/) });
    const next = await get("/articles/france", ip);
    expect(next.headers.get("x-stub")).toBe("tarpit");
  });

  it("never clears a HeadlessChrome User-Agent, whatever pass it holds", async () => {
    const ip = "198.18.202.10";
    const headless = UA.replace("Chrome/", "HeadlessChrome/");
    const headers = {
      ...CHROME_NAVIGATION_HEADERS,
      "user-agent": headless,
      "cf-connecting-ip": ip,
      "x-dev-cf": JSON.stringify({ asn: 7922, httpProtocol: "HTTP/2", tlsVersion: "TLSv1.3" }),
    };
    const first = await exports.default.fetch(new Request("http://site.test/articles/france", { headers }));
    expect(first.status).toBe(503);
    const page = await readPage(first);
    const body = new URLSearchParams({ ticket: page.ticket, counter: await solve(page.nonce, page.bits), evidence: "", nua: headless });
    const verify = await exports.default.fetch(
      new Request("http://site.test/.well-known/edge-guard/verify", {
        method: "POST",
        body,
        redirect: "manual",
        headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
      }),
    );
    const cookie = (verify.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(cookie).toMatch(/^eg_pass=/); // clean evidence from a lying page: a pass...
    const again = await exports.default.fetch(new Request("http://site.test/articles/france", { headers: { ...headers, cookie } }));
    expect(again.status).toBe(503); // ...that does not clear the headless marker
  });
});
