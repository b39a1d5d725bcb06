import type { DecisionReport } from "../../../core/report";

/** Test fixtures for escalation: a valid report and two typical clients. */
export const CHROME_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";
export const GPTBOT_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";
export const BROWSER_HEADERS = {
  accept: "text/html,application/xhtml+xml,*/*;q=0.8",
  "accept-language": "en-US,en;q=0.9",
  "sec-fetch-mode": "navigate",
  "sec-ch-ua": '"Chromium";v="142", "Google Chrome";v="142", "Not_A Brand";v="24"',
};
export const AT = 1_790_000_000_000;

/** A valid DecisionReport; override what the test is about (give each test its own `id` and `ip`). */
export function aReport(over: Partial<DecisionReport> = {}): DecisionReport {
  return {
    v: 1,
    id: "escalation-test-0001",
    at: AT,
    source: "edge",
    ip: "198.51.100.7",
    method: "GET",
    path: "/archive/1234/5",
    userAgent: CHROME_UA,
    headers: BROWSER_HEADERS,
    cf: { asn: 7922, asOrganization: "Comcast Cable Communications, LLC", country: "US", httpProtocol: "HTTP/2", tlsVersion: "TLSv1.3" },
    action: "tarpit",
    score: 50,
    reasons: [{ code: "trap-path", weight: 50 }],
    counts: { hits1m: 2, hits10m: 6, tarpitHits: 1 },
    ...over,
  };
}

/** A spoofed Chrome from a cloud network, deep in the tarpit, without the headers a browser sends. */
export const BOT_REPORT: Partial<DecisionReport> = {
  headers: { accept: "*/*" },
  cf: { asn: 16509, asOrganization: "Amazon.com, Inc.", country: "US", httpProtocol: "HTTP/1.1", tlsVersion: "TLSv1.3" },
  counts: { hits1m: 180, hits10m: 1400, tarpitHits: 300 },
  reasons: [
    { code: "trap-path", weight: 50 },
    { code: "burst", weight: 50 },
  ],
  signals: ["hdr-browser-http1", "hdr-chrome-no-sec-ch-ua", "rate-ip-burst", "no-subresources"],
  score: 100,
};

/** A person at home who followed one trap link (a prefetcher or an extension) after reading a few pages. */
export const HUMAN_REPORT: Partial<DecisionReport> = {};

/**
 * The person's requests before `at`, as the edge reports them (allow decisions): the home page and its assets, then
 * two articles, seconds apart. Deliver them before HUMAN_REPORT so escalation finds them as the client's history.
 */
export function browsingBefore(over: Partial<DecisionReport>, idPrefix: string, at: number = AT): DecisionReport[] {
  const paths: [number, string][] = [
    [-95_000, "/"],
    [-94_900, "/static/site.css"],
    [-94_800, "/static/logo.svg"],
    [-60_000, "/articles/france"],
    [-20_000, "/articles/spain"],
  ];
  return paths.map(([dt, path], i) =>
    aReport({
      ...over,
      id: `${idPrefix}-h${i}`,
      at: at + dt,
      path,
      action: "allow",
      score: 0,
      reasons: [],
      counts: { hits1m: 2, hits10m: i + 1, tarpitHits: 0 },
    }),
  );
}
