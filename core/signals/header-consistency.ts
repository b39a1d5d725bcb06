import type { RequestFacts } from "../request-facts";
import { parseList, textParam } from "../structured-fields";
import type { Reason } from "../verdict";
import { signal, type SignalCode } from "./registry";
import { browserClaim, type BrowserClaim, type UaPlatform } from "./user-agent";

/** First version of each family that sends Sec-Fetch-Site/Mode/Dest. https://caniuse.com/mdn-http_headers_sec-fetch-dest */
const SEC_FETCH_SINCE: Readonly<Record<BrowserClaim["family"], number>> = {
  chrome: 80,
  edge: 80,
  firefox: 90,
  safari: 17,
  other: Infinity,
};
/** Chrome 89 sends Sec-CH-UA by default; older ones do not. https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Sec-CH-UA */
const CLIENT_HINTS_SINCE = 89;
/** Headless and automation runtimes that name themselves in the User-Agent. */
const HEADLESS_UA = /\b(?:HeadlessChrome|PhantomJS|SlimerJS|jsdom|Electron)\//;
/** What Sec-CH-UA-Platform a Chromium on each User-Agent platform may send (Android's "desktop site" says Linux). */
const CH_PLATFORMS: Readonly<Record<UaPlatform, readonly string[] | null>> = {
  windows: ["Windows"],
  macos: ["macOS"],
  chromeos: ["Chrome OS", "Chromium OS"],
  android: ["Android"],
  linux: ["Linux", "Android"],
  ios: null,
  other: null,
};

/** The header-consistency codes (weights and descriptions: core/signals/registry.ts). */
type Code = Extract<SignalCode, `hdr-${string}`>;
const reason = (code: Code, detail: string): Reason => signal(code, detail);

/**
 * The request headers `headerConsistency` reads, and the only ones it can (its view of the headers is typed to them):
 * a memo keyed on these, the User-Agent and the transport answers for every request that shares them, whatever its
 * Referer or path.
 */
export const CONSISTENCY_HEADERS = [
  "accept",
  "accept-language",
  "sec-ch-ua",
  "sec-ch-ua-mobile",
  "sec-ch-ua-platform",
  "sec-fetch-dest",
  "sec-fetch-mode",
  "sec-fetch-site",
] as const;
type ConsistencyHeaders = Readonly<Partial<Record<(typeof CONSISTENCY_HEADERS)[number], string>>>;

/**
 * Checks that the headers a request carries fit the browser its User-Agent claims, e.g. a Chrome UA without
 * client hints, or over HTTP/1.1. Only browser claims are judged: text browsers (lynx, w3m), tools, feed readers
 * and declared bots pass untouched (other signals classify them). Pure; needs `cf` facts for transport checks.
 */
export function headerConsistency(facts: Pick<RequestFacts, "userAgent" | "headers" | "cf">): Reason[] {
  const ua = facts.userAgent.trim();
  if (ua === "") return [reason("hdr-empty-ua", "no User-Agent")];
  const h: ConsistencyHeaders = facts.headers;
  const reasons: Reason[] = [];
  const headless = HEADLESS_UA.exec(ua)?.[0] ?? (/headless/i.test(h["sec-ch-ua"] ?? "") ? "Sec-CH-UA brand" : null);
  if (headless !== null) reasons.push(reason(headless === "Electron/" ? "hdr-headless-electron" : "hdr-headless", headless));

  const claim = browserClaim(ua);
  if (claim.family === "other" || claim.major === null) return reasons;
  const name = `${claim.family} ${claim.major}`;
  const { tlsVersion, httpProtocol } = facts.cf;
  // Every browser in a supported family dropped TLS 1.0 and 1.1 in 2020 (RFC 8996 deprecates them).
  if (tlsVersion === "TLSv1" || tlsVersion === "TLSv1.0" || tlsVersion === "TLSv1.1")
    reasons.push(reason("hdr-old-tls", `${name} over ${tlsVersion}`));
  // Browsers speak HTTP/2 or HTTP/3 to Cloudflare; HTTP/1.x means a library (or, rarely, an intercepting proxy).
  if (httpProtocol !== undefined && /^HTTP\/1/i.test(httpProtocol))
    reasons.push(reason("hdr-browser-http1", `${name} over ${httpProtocol}`));
  if ((h["accept-language"] ?? "").trim() === "") reasons.push(reason("hdr-browser-no-accept-language", name));

  // Fetch metadata and client hints are only sent to secure origins: judge their absence over TLS alone.
  const secure = tlsVersion !== undefined && tlsVersion.startsWith("TLS");
  const secFetch = h["sec-fetch-site"] ?? h["sec-fetch-mode"] ?? h["sec-fetch-dest"];
  const missingSecFetch = secure && secFetch === undefined && claim.major >= SEC_FETCH_SINCE[claim.family];
  if (missingSecFetch) reasons.push(reason("hdr-browser-no-sec-fetch", name));
  const chUa = h["sec-ch-ua"];
  const sendsHints = claim.engine === "blink" && (claim.family === "chrome" || claim.family === "edge");
  // Judged on navigations only: Chrome with JavaScript turned off for a site leaves the hints off its subresource
  // requests (measured with Chromium 156), and those people must not be flagged for it.
  const subresource = h["sec-fetch-dest"] !== undefined && h["sec-fetch-dest"] !== "document";
  if (secure && sendsHints && !subresource && chUa === undefined && (claim.chromiumMajor ?? 0) >= CLIENT_HINTS_SINCE) {
    reasons.push(reason("hdr-chrome-no-sec-ch-ua", name));
  }
  if (chUa !== undefined) reasons.push(...clientHintReasons(claim, name, chUa, h));

  const navigation = h["sec-fetch-mode"] === "navigate" || h["sec-fetch-dest"] === "document" || missingSecFetch;
  const accept = (h["accept"] ?? "").trim();
  if (navigation && (accept === "" || accept === "*/*"))
    reasons.push(reason("hdr-accept-wildcard-only", `${name}, accept: ${accept || "(none)"}`));
  return reasons;
}

/** Sec-CH-UA and friends against the UA: only Chromium sends them, with its own major version and platform. */
function clientHintReasons(claim: BrowserClaim, name: string, chUa: string, h: Readonly<Record<string, string>>): Reason[] {
  if (claim.engine !== "blink") return [reason("hdr-ch-ua-mismatch", `sec-ch-ua from ${name}, which never sends it`)];
  const brands = parseList(chUa);
  if (brands === null) return [reason("hdr-ch-ua-mismatch", "malformed sec-ch-ua")];
  const versions = new Map<string, string>();
  for (const b of brands) if (b.kind === "item" && b.value.type === "string") versions.set(b.value.value, textParam(b.params, "v") ?? "");
  // Prefer the engine's brand: Opera or Edge list their own version under their own name.
  const version = ["Chromium", "Google Chrome", "Microsoft Edge", "HeadlessChrome"]
    .map((b) => versions.get(b))
    .find((v) => v !== undefined);
  const reasons: Reason[] = [];
  if (version !== undefined && claim.chromiumMajor !== null && Number.parseInt(version, 10) !== claim.chromiumMajor) {
    reasons.push(reason("hdr-ch-ua-mismatch", `UA Chrome/${claim.chromiumMajor}, sec-ch-ua v=${version}`));
  }
  const platform = /^"(.*)"$/.exec(h["sec-ch-ua-platform"] ?? "")?.[1];
  const expected = CH_PLATFORMS[claim.platform];
  if (platform !== undefined && platform !== "Unknown" && expected !== null && !expected.includes(platform)) {
    reasons.push(reason("hdr-ch-ua-platform-mismatch", `UA ${claim.platform}, sec-ch-ua-platform ${platform}`));
  }
  const mobile = h["sec-ch-ua-mobile"];
  if ((mobile === "?1" && !claim.mobile) || (mobile === "?0" && claim.mobile)) {
    reasons.push(reason("hdr-ch-ua-mobile-mismatch", `UA ${claim.mobile ? "mobile" : "desktop"}, sec-ch-ua-mobile ${mobile}`));
  }
  return reasons;
}
