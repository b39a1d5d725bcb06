import UserAgent from "user-agents";
import { describe, expect, it } from "vitest";
import { headerConsistency } from "../../core/signals/header-consistency";
import { browserClaim } from "../../core/signals/user-agent";
import {
  CHROME_131_WINDOWS,
  FIREFOX_133_LINUX,
  HEADLESS_CHROME_131,
  LYNX,
  REAL_BROWSERS,
  SAFARI_18_MAC,
  STEALTH_REQUESTS,
  type HeaderFixture,
} from "../fixtures/headers/browsers";

const codes = (fixture: Pick<HeaderFixture, "userAgent" | "headers" | "cf">) =>
  headerConsistency(fixture)
    .map((r) => r.code)
    .sort();
const without = (headers: Readonly<Record<string, string>>, ...names: string[]) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));

describe("browserClaim", () => {
  it.each([
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      "chrome",
      131,
      false,
    ],
    [
      "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/134.0.0.0 Mobile Safari/537.36",
      "chrome",
      134,
      true,
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/154.0.0.0 Safari/537.36 Edg/154.0.0.0",
      "edge",
      154,
      false,
    ],
    ["Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0", "firefox", 133, true],
    [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.6.1 Mobile/15E148 Safari/604.1",
      "safari",
      26,
      true,
    ],
  ])("reads %s", (ua, family, major, mobile) => {
    expect(browserClaim(ua)).toMatchObject({ family, major, mobile });
  });

  it.each([
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/152.0.0.0 Safari/537.36 OPR/136.0.0.0",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/30.0 Chrome/143.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; K; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.39 Mobile Safari/537.36",
  ])("takes a Chromium fork or WebView for 'other' Blink: %s", (ua) => {
    expect(browserClaim(ua)).toMatchObject({ family: "other", engine: "blink" });
  });

  it.each([
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/148.0.0.0 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Lynx/2.9.0dev.12 libwww-FM/2.14 SSL-MM/1.4.1 GNUTLS/3.7.9",
    "w3m/0.5.3+git20230121",
    "Links (2.28; Linux 6.1.0-28-amd64 x86_64; GNU C 12.2; text)",
    "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 12 subscribers; like FeedFetcher-Google)",
    "curl/8.5.0",
  ])("makes no Chrome, Edge, Firefox or Safari claim for %s", (ua) => {
    expect(browserClaim(ua).major).toBeNull();
  });

  it("parses every User-Agent of the user-agents corpus that names Chrome, Firefox or Safari", () => {
    const corpus = UserAgent.top(20_000).map((u) => u.userAgent); // real, weighted browser User-Agents (npm user-agents)
    const plain = corpus.filter((ua) =>
      /Chrome\/[\d.]+ (Mobile )?Safari\/537\.36$|Firefox\/[\d.]+$|Version\/[\d.]+ (Mobile\/\w+ )?Safari\/[\d.]+$/.test(ua),
    );
    expect(plain.length).toBeGreaterThan(1000);
    // Forks, WebViews and iOS wrappers (EdgiOS is WebKit, not Edge) are "other" by design.
    const fork = /; wv\)|Version\/4\.0 Chrome|SamsungBrowser|YaBrowser|EdgiOS|CriOS|FxiOS/;
    const unparsed = plain.filter((ua) => browserClaim(ua).major === null && !fork.test(ua));
    expect(unparsed).toEqual([]);
  });
});

describe("headerConsistency", () => {
  it.each(REAL_BROWSERS.map((f) => [f.name, f] as const))("finds nothing wrong with %s", (_name, fixture) => {
    expect(headerConsistency(fixture)).toEqual([]);
  });

  it("leaves lynx alone: a text browser has no fetch metadata or client hints, and may use HTTP/1.1", () => {
    expect(headerConsistency(LYNX)).toEqual([]);
  });

  it.each([
    "w3m/0.5.3+git20230121",
    "Links (2.28; Linux 6.1.0-28-amd64 x86_64; GNU C 12.2; text)",
    "NetNewsWire (RSS Reader; https://netnewswire.com/)",
    "curl/8.5.0",
    "python-requests/2.34.2",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  ])("does not judge %s, which claims no browser", (userAgent) => {
    expect(headerConsistency({ ...STEALTH_REQUESTS, userAgent })).toEqual([]);
  });

  it("flags every tell of a Chrome UA sent through python-requests", () => {
    expect(codes(STEALTH_REQUESTS)).toEqual([
      "hdr-accept-wildcard-only",
      "hdr-browser-http1",
      "hdr-browser-no-accept-language",
      "hdr-browser-no-sec-fetch",
      "hdr-chrome-no-sec-ch-ua",
    ]);
    const score = headerConsistency(STEALTH_REQUESTS).reduce((sum, r) => sum + r.weight, 0);
    expect(score).toBeGreaterThanOrEqual(100);
  });

  it("flags HeadlessChrome in the User-Agent, and a Headless brand behind a spoofed User-Agent", () => {
    expect(codes(HEADLESS_CHROME_131)).toEqual(["hdr-headless"]);
    const spoofed = {
      ...HEADLESS_CHROME_131,
      userAgent: CHROME_131_WINDOWS.userAgent,
      headers: { ...HEADLESS_CHROME_131.headers, "sec-ch-ua-platform": '"Windows"' },
    };
    expect(headerConsistency(spoofed)).toEqual([expect.objectContaining({ code: "hdr-headless", detail: "Sec-CH-UA brand" })]);
  });

  it.each([
    ["Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1", "hdr-headless"],
    [
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.291 Electron/28.2.3 Safari/537.36",
      "hdr-headless-electron",
    ],
    ["Mozilla/5.0 (linux) AppleWebKit/537.36 (KHTML, like Gecko) jsdom/22.1.0", "hdr-headless"],
  ])("names the automation runtime in %s", (userAgent, code) => {
    expect(codes({ ...LYNX, userAgent })).toEqual([code]);
  });

  it("does not ask Firefox or Safari for client hints, and does not ask Chrome < 89", () => {
    expect(headerConsistency(FIREFOX_133_LINUX)).toEqual([]);
    expect(headerConsistency(SAFARI_18_MAC)).toEqual([]);
    const chrome88 = {
      ...CHROME_131_WINDOWS,
      userAgent: CHROME_131_WINDOWS.userAgent.replace("131", "88"),
      headers: without(CHROME_131_WINDOWS.headers, "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform"),
    };
    expect(headerConsistency(chrome88)).toEqual([]);
  });

  it("asks for fetch metadata and client hints only over TLS (browsers send neither to plain-HTTP origins)", () => {
    const bare = {
      ...CHROME_131_WINDOWS,
      headers: without(CHROME_131_WINDOWS.headers, "sec-ch-ua", "sec-fetch-dest", "sec-fetch-mode", "sec-fetch-site"),
    };
    expect(codes({ ...bare, cf: { httpProtocol: "HTTP/2" } })).toEqual([]);
    expect(codes(bare)).toEqual(["hdr-browser-no-sec-fetch", "hdr-chrome-no-sec-ch-ua"]);
  });

  it("catches client hints that contradict the User-Agent", () => {
    const chUa = (value: string) => ({ ...CHROME_131_WINDOWS, headers: { ...CHROME_131_WINDOWS.headers, "sec-ch-ua": value } });
    expect(codes(chUa('"Google Chrome";v="120", "Chromium";v="120", "Not_A Brand";v="24"'))).toEqual(["hdr-ch-ua-mismatch"]);
    expect(codes(chUa('"Chromium";v="131", "Google Chrome"'))).toEqual([]); // a brand without version is not a contradiction
    expect(codes(chUa('"Chromium";v="131'))).toEqual(["hdr-ch-ua-mismatch"]);
    expect(
      codes({
        ...FIREFOX_133_LINUX,
        headers: { ...FIREFOX_133_LINUX.headers, "sec-ch-ua": CHROME_131_WINDOWS.headers["sec-ch-ua"] ?? "" },
      }),
    ).toEqual(["hdr-ch-ua-mismatch"]);
    const onLinux = {
      ...CHROME_131_WINDOWS,
      headers: { ...CHROME_131_WINDOWS.headers, "sec-ch-ua-platform": '"Linux"', "sec-ch-ua-mobile": "?1" },
    };
    expect(codes(onLinux)).toEqual(["hdr-ch-ua-mobile-mismatch", "hdr-ch-ua-platform-mismatch"]);
  });

  it("flags HTTP/1.1 and TLS 1.0/1.1 under a modern browser UA", () => {
    expect(codes({ ...FIREFOX_133_LINUX, cf: { httpProtocol: "HTTP/1.1", tlsVersion: "TLSv1.1" } })).toEqual([
      "hdr-browser-http1",
      "hdr-old-tls",
    ]);
    expect(codes({ ...LYNX, cf: { httpProtocol: "HTTP/1.0", tlsVersion: "TLSv1" } })).toEqual([]);
  });

  it("flags a bare wildcard Accept only on a navigation", () => {
    const navigate = { ...SAFARI_18_MAC, headers: { ...SAFARI_18_MAC.headers, accept: "*/*" } };
    expect(codes(navigate)).toEqual(["hdr-accept-wildcard-only"]);
    const xhr = {
      ...navigate,
      headers: { ...navigate.headers, "sec-fetch-mode": "cors", "sec-fetch-dest": "empty", "sec-fetch-site": "same-origin" },
    };
    expect(codes(xhr)).toEqual([]);
  });

  it("flags an empty User-Agent and nothing else", () => {
    expect(headerConsistency({ ...STEALTH_REQUESTS, userAgent: "  " })).toEqual([
      { code: "hdr-empty-ua", weight: 30, detail: "no User-Agent" },
    ]);
  });

  it("gives every reason a positive weight and a detail", () => {
    const all = [STEALTH_REQUESTS, HEADLESS_CHROME_131].flatMap((f) => headerConsistency(f));
    for (const r of all)
      expect(r).toEqual({ code: expect.stringMatching(/^hdr-[a-z0-9-]+$/), weight: expect.any(Number), detail: expect.any(String) });
    expect(all.every((r) => r.weight > 0)).toBe(true);
  });
});

describe("client hints on subresources", () => {
  it("does not flag a Chrome subresource request without Sec-CH-UA (Chrome with JavaScript off sends none), but does a navigation", () => {
    const ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
    const cf = { tlsVersion: "TLSv1.3", httpProtocol: "HTTP/2" };
    const base = { accept: "image/*", "accept-language": "en-US", "sec-fetch-site": "same-origin", "sec-fetch-mode": "no-cors" };
    const codes = (dest: string) =>
      headerConsistency({ userAgent: ua, cf, headers: { ...base, "sec-fetch-dest": dest } }).map((r) => r.code);
    expect(codes("image")).not.toContain("hdr-chrome-no-sec-ch-ua");
    expect(codes("document")).toContain("hdr-chrome-no-sec-ch-ua");
  });
});
