import type { DecisionReport } from "../../../core/report";

/** Test fixtures for escalation: a valid report and two typical clients. */
export const CHROME_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";
export const GPTBOT_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";

/** A valid DecisionReport; override what the test is about (give each test its own `id` and `ip`). */
export function aReport(over: Partial<DecisionReport> = {}): DecisionReport {
  return {
    v: 1,
    id: "escalation-test-0001",
    at: 1_790_000_000_000,
    source: "edge",
    ip: "198.51.100.7",
    method: "GET",
    path: "/archive/1234/5",
    userAgent: CHROME_UA,
    headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8", "accept-language": "en-US,en;q=0.9", "sec-fetch-mode": "navigate" },
    cf: { asn: 7922, asOrganization: "Comcast Cable Communications, LLC", country: "US" },
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
  cf: { asn: 16509, asOrganization: "Amazon.com, Inc.", country: "US" },
  counts: { hits1m: 180, hits10m: 1400, tarpitHits: 300 },
  reasons: [{ code: "trap-path", weight: 50 }, { code: "burst", weight: 50 }],
  score: 100,
};

/** A person at home who followed one trap link (a prefetcher or an extension). */
export const HUMAN_REPORT: Partial<DecisionReport> = {};
