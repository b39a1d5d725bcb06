import { env as rawEnv } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { kvKeys } from "../../../core/kv-keys";
import { fnv1a } from "../../../core/fingerprint";
import { HONEYPOT_HOUR_MS, honeypotPath } from "../../../core/honeypot-token";
import { app } from "../../../workers/edge-guard/app";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { CHROME_NAVIGATION_HEADERS } from "../../support/browser-headers";
import { isolateState } from "../../../workers/edge-guard/app";

const env = rawEnv as unknown as EdgeGuardEnv;
const FIREFOX_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
/** A person's browser (or a headless one) following a link on this site. */
const SAME_ORIGIN = { ...CHROME_NAVIGATION_HEADERS, "sec-fetch-site": "same-origin" };
const CROSS_SITE_IMAGE = {
  ...CHROME_NAVIGATION_HEADERS,
  "sec-fetch-site": "cross-site",
  "sec-fetch-mode": "no-cors",
  "sec-fetch-dest": "image",
  accept: "image/*",
};
const CROSS_SITE_NAVIGATION = { ...CHROME_NAVIGATION_HEADERS, "sec-fetch-site": "cross-site" };

/** One request through edge-guard; resolves once its waitUntil work (label writes, reports) is done. */
// Each test is a fleet group of its own (a TLS trait in the group key): trap hits of earlier tests from other
// addresses with the same headers would otherwise flag the group, and a flagged group is challenged.
let tlsCipher = "";
beforeEach(() => {
  tlsCipher = `TEST-${fnv1a(expect.getState().currentTestName ?? "").toString(36)}`;
});

async function send(path: string, ip: string, headers: HeadersInit = SAME_ORIGIN, e: EdgeGuardEnv = env): Promise<Response> {
  const request = new Request(`http://site.test${path}`, { headers });
  request.headers.set("cf-connecting-ip", ip);
  if (!request.headers.has("x-dev-cf"))
    request.headers.set("x-dev-cf", JSON.stringify({ httpProtocol: "HTTP/2", tlsVersion: "TLSv1.3", tlsCipher }));
  const ctx = createExecutionContext();
  const response = await app.fetch(request, e, ctx);
  const body = await response.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return new Response(body, response);
}

/** Addresses in `net` whose home page carries a honeypot link (one page in four does). */
function sampledIps(net: string): string[] {
  return Array.from({ length: 254 }, (_, i) => `${net}.${i + 1}`).filter((ip) => fnv1a(`${ip}|/`) % 4 === 0);
}
const sampledIp = (net: string): string => sampledIps(net)[0] ?? "";

/** The hidden link edge-guard put into the home page it served to `ip`. */
async function honeypotFor(ip: string, headers: Record<string, string> = CHROME_NAVIGATION_HEADERS): Promise<string> {
  const html = await (await send("/", ip, headers)).text();
  const href = /<a href="(\/archive\/[0-9a-f]{20}\/index\.html)" rel="nofollow" aria-hidden="true"/.exec(html)?.[1];
  expect(href, "the page carries a honeypot link").toBeDefined();
  return href ?? "";
}

const label = (ip: string) => env.BLOCKLIST.get(kvKeys.ip(ip), "json");
const isTarpit = (r: Response) => r.headers.get("x-stub") === "tarpit";
/** The client gets real pages: not the labyrinth, not a challenge. */
async function expectRealPage(ip: string): Promise<void> {
  const response = await send("/", ip, CHROME_NAVIGATION_HEADERS);
  expect(response.status).toBe(200);
  expect(isTarpit(response)).toBe(false);
}

describe("honeypot links bound to their client", () => {
  it("label a crawler that follows the link served to it, for a day, and keep it in the labyrinth", async () => {
    const ip = sampledIp("198.51.100");
    const href = await honeypotFor(ip);
    expect(await honeypotFor(ip)).toBe(href); // the same link within the hour (memoised, and stable)
    const trap = await send(href, ip);
    expect(isTarpit(trap)).toBe(true);
    expect(trap.headers.get("x-stub-no-hop")).toBe("absent"); // a hop like any other
    expect(await label(ip)).toMatchObject({ action: "tarpit", reason: "honeypot", source: "edge" });
    const [key] = (await env.BLOCKLIST.list({ prefix: kvKeys.ip(ip) })).keys;
    const now = Date.now() / 1000;
    expect(key?.expiration).toBeGreaterThan(now + 23 * 3600);
    expect(key?.expiration).toBeLessThanOrEqual(now + 24 * 3600 + 60);
    expect(isTarpit(await send("/", ip, CHROME_NAVIGATION_HEADERS))).toBe(true);
  });

  it("bind the link to the network and browser: another /24 or another browser labels nobody", async () => {
    const a = sampledIp("203.0.113");
    const href = await honeypotFor(a);
    const b = "192.0.2.77"; // same User-Agent, another /24: a fleet passing links around
    const fromB = await send(href, b);
    expect(isTarpit(fromB)).toBe(true); // that one request gets the maze (with fleet evidence), nothing more
    expect(await label(b)).toBeNull();
    expect(isTarpit(await send(href, "203.0.113.250", { ...SAME_ORIGIN, "user-agent": FIREFOX_UA }))).toBe(true);
    expect(await label("203.0.113.250")).toBeNull();
    expect(await label(a)).toBeNull();
    await expectRealPage(a);
    // The same browser from A's own /24 (one network, e.g. one NAT): the link is its own.
    await send(href, "203.0.113.251");
    expect(await label("203.0.113.251")).toMatchObject({ reason: "honeypot" });
  });

  it("label nobody for a guessed, forged or stale link: that one request gets the labyrinth", async () => {
    const ip = "198.18.40.9";
    const mac = isolateState().honeypot.mac(env.TOKEN_SECRET);
    expect(mac).not.toBeNull();
    const stale = await honeypotPath(
      mac ?? (async () => ""),
      "198.18.40.0/24",
      CHROME_NAVIGATION_HEADERS["user-agent"] ?? "",
      Date.now() - 2 * HONEYPOT_HOUR_MS,
    );
    const previousHour = await honeypotPath(
      mac ?? (async () => ""),
      "198.18.40.0/24",
      CHROME_NAVIGATION_HEADERS["user-agent"] ?? "",
      Date.now() - HONEYPOT_HOUR_MS,
    );
    for (const path of ["/archive/abc123/index.html", "/archive/0123456789abcdef0123/index.html", stale, "/archive/1a2b3c4d/harbour"]) {
      expect(isTarpit(await send(path, ip)), path).toBe(true);
    }
    expect(await label(ip)).toBeNull();
    // Last hour's link is still the client's own.
    await send(previousHour, ip);
    expect(await label(ip)).toMatchObject({ reason: "honeypot" });
  });
});

describe("Fetch Metadata at the trap", () => {
  it("answers a trap URL another site's page embeds with an empty 404, even the client's own link: no label, no hop", async () => {
    const ip = sampledIp("198.18.41");
    const href = await honeypotFor(ip);
    const embedded = [
      CROSS_SITE_IMAGE,
      { ...CROSS_SITE_IMAGE, "sec-fetch-dest": "script", accept: "*/*" },
      { ...CROSS_SITE_IMAGE, "sec-fetch-dest": "iframe", "sec-fetch-mode": "navigate" },
      { ...CROSS_SITE_IMAGE, "sec-fetch-site": "same-site", "sec-fetch-dest": "style" },
      { ...CROSS_SITE_IMAGE, "sec-fetch-dest": "empty", "sec-purpose": "prefetch" },
      { ...SAME_ORIGIN, "sec-purpose": "prefetch;prerender" },
      { ...SAME_ORIGIN, purpose: "prefetch" },
    ];
    for (const headers of embedded) {
      for (const path of [href, "/archive/abc123/x.png"]) {
        const response = await send(path, ip, headers);
        expect(response.status, JSON.stringify(headers)).toBe(404);
        expect(isTarpit(response)).toBe(false);
        expect(await response.text()).toBe("");
      }
    }
    expect(await label(ip)).toBeNull();
    await expectRealPage(ip);
  });

  it("gives a navigation from another site the labyrinth uncounted and unlabelled, a few times per client", async () => {
    const ip = "198.18.42.9";
    const first = await send("/archive/abc123/index.html", ip, CROSS_SITE_NAVIGATION);
    expect(isTarpit(first)).toBe(true);
    expect(first.headers.get("x-stub-no-hop")).toBe("1");
    await send("/archive/abc124/index.html", ip, CROSS_SITE_NAVIGATION);
    await send("/archive/abc125/index.html", ip, CROSS_SITE_NAVIGATION);
    // A page elsewhere sends a browser here once per click; a client claiming more is counted as usual.
    expect((await send("/archive/abc126/index.html", ip, CROSS_SITE_NAVIGATION)).headers.get("x-stub-no-hop")).toBe("absent");
    expect(await label(ip)).toBeNull();
  });

  it("never passes on a client's own no-hop header", async () => {
    const response = await send("/archive/abc123/index.html", "198.18.43.9", { ...SAME_ORIGIN, "x-edge-guard-no-hop": "1" });
    expect(isTarpit(response)).toBe(true);
    expect(response.headers.get("x-stub-no-hop")).toBe("absent");
  });

  it("reads huge or duplicated Fetch Metadata as absent: no 5xx, no way out of the label or the hop count", async () => {
    const ip = sampledIp("198.18.44");
    const href = await honeypotFor(ip);
    const huge = new Headers({
      ...CROSS_SITE_IMAGE,
      "sec-fetch-site": `cross-site${" ".repeat(6000)}x`,
      "sec-fetch-dest": "i".repeat(6000),
    });
    const hugeResponse = await send("/archive/abc123/a.png", ip, huge);
    expect(hugeResponse.status).toBeLessThan(500);
    expect(isTarpit(hugeResponse)).toBe(true);
    expect(hugeResponse.headers.get("x-stub-no-hop")).toBe("absent");
    expect(await label(ip)).toBeNull();

    const duplicated = new Headers(CROSS_SITE_IMAGE);
    duplicated.append("sec-fetch-site", "cross-site");
    duplicated.append("sec-purpose", "prefetch");
    duplicated.append("sec-purpose", "prefetch");
    const response = await send(href, ip, duplicated);
    expect(isTarpit(response)).toBe(true);
    expect(response.headers.get("x-stub-no-hop")).toBe("absent");
    expect(await label(ip)).toMatchObject({ reason: "honeypot" }); // its own link, requested as if by itself
  });
});

describe("cost on the allow path", () => {
  it("computes a client's tokens once per hour per isolate, however many sampled pages it reads", async () => {
    const subtle = crypto.subtle;
    const sign = subtle.sign.bind(subtle);
    let signs = 0;
    const counting = (...args: Parameters<SubtleCrypto["sign"]>) => (signs++, sign(...args));
    Object.defineProperty(subtle, "sign", { value: counting, configurable: true, writable: true });
    try {
      const [ip = "", neighbour = ""] = sampledIps("198.18.46");
      const mac = isolateState().honeypot.mac(env.TOKEN_SECRET);
      await (mac ?? (async () => ""))("warm the key"); // the derived key, once per isolate
      // A browser build no other test uses, so neither of its tokens is known yet.
      const headers = {
        ...CHROME_NAVIGATION_HEADERS,
        "user-agent": (CHROME_NAVIGATION_HEADERS["user-agent"] ?? "").replace("131.0.0.0", "131.0.6778.85"),
      };
      const first = signs;
      await honeypotFor(ip, headers);
      expect(signs - first).toBe(2); // the User-Agent part and the network part
      await honeypotFor(ip, headers);
      await honeypotFor(neighbour, headers); // same /24, same browser: same tokens
      expect(signs - first).toBe(2);
      await honeypotFor(sampledIp("198.18.48"), headers); // another network: only its network part is new
      expect(signs - first).toBe(3);
    } finally {
      Object.defineProperty(subtle, "sign", { value: sign, configurable: true, writable: true });
    }
  });
});

describe("in observe mode", () => {
  it("leaves an embedded trap URL to the origin, like everything else", async () => {
    const response = await send("/archive/abc123/x.png", "198.18.47.9", CROSS_SITE_IMAGE, { ...env, MODE: "observe" });
    expect(isTarpit(response)).toBe(false);
    expect((await response.text()).length).toBeGreaterThan(0); // the origin's own answer, not the edge's empty 404
  });
});

describe("without TOKEN_SECRET", () => {
  it("injects no honeypot link and labels nobody", async () => {
    const bare: EdgeGuardEnv = { ...env, TOKEN_SECRET: undefined };
    const ip = sampledIp("198.18.45");
    const html = await (await send("/", ip, CHROME_NAVIGATION_HEADERS, bare)).text();
    expect(html).toContain("<main");
    expect(html).not.toContain('href="/archive/');
    const mac = isolateState().honeypot.mac(env.TOKEN_SECRET);
    const wouldBeOwn = await honeypotPath(
      mac ?? (async () => ""),
      "198.18.45.0/24",
      CHROME_NAVIGATION_HEADERS["user-agent"] ?? "",
      Date.now(),
    );
    expect(isTarpit(await send(wouldBeOwn, ip, SAME_ORIGIN, bare))).toBe(true);
    expect(await label(ip)).toBeNull();
  });
});
