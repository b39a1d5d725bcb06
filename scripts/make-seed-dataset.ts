/**
 * Writes models/seed-dataset.jsonl: labelled DecisionReports for `npm run train:model`.
 *
 * Honest summary: the User-Agent strings are real (npm `user-agents` for browsers, npm `crawler-user-agents` for
 * crawlers, libraries and automation); everything else (headers, rates, tarpit hits, networks, edge reasons) is
 * SYNTHETIC, drawn from hand-set distributions meant to resemble what edge-guard reports. Deterministic: same
 * seed and package versions, same file. Run: `npx tsx scripts/make-seed-dataset.ts [rows] [seed]`.
 */
import { createRequire } from "node:module";
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import crawlers from "crawler-user-agents";
import { isbot } from "isbot";
import { DecisionReportSchema, type DecisionReport } from "../core/report";
import { isAiCrawlerUserAgent, isBrowserUserAgent } from "../core/features";
import { SeededRandom } from "./seeded-random";

/** One line of the seed dataset. `kind` names the synthetic profile, for error analysis only. */
interface SeedRow {
  readonly label: 0 | 1;
  readonly kind: string;
  readonly report: DecisionReport;
}

const SEED_DATASET_PATH = "models/seed-dataset.jsonl";
const DEFAULT_ROWS = 2500; // keeps the file under 2 MB
const DEFAULT_SEED = 20261122;
const START_MS = Date.UTC(2026, 10, 1);
// Mirrors core/decide.ts DEFAULT_LIMITS when this was written: each signal adds 50; a blocklisted IP adds 1000.
const SIGNAL_WEIGHT = 50;
const BLOCKLIST_WEIGHT = 1000;
const BURST_PER_MINUTE = 120;

const require = createRequire(import.meta.url);
interface BrowserProfile { readonly userAgent: string; readonly weight: number; readonly language?: string }
const BROWSERS = (JSON.parse(readFileSync(join(dirname(require.resolve("user-agents")), "user-agents.json"), "utf8")) as BrowserProfile[])
  .filter((b) => isBrowserUserAgent(b.userAgent) && !isbot(b.userAgent)); // two independent classifiers agree
// The package's ESM typings omit `tags`, which its JSON has.
const CRAWLERS = crawlers as readonly { readonly instances: string[]; readonly tags?: string[] }[];
const tagged = (tag: string): string[] =>
  [...new Set(CRAWLERS.filter((c) => c.tags?.includes(tag)).flatMap((c) => c.instances))].filter((ua) => ua.length <= 1024);
const AI_CRAWLER_UAS = tagged("ai-crawler").filter((ua) => isAiCrawlerUserAgent(ua) && isbot(ua));
const LIBRARY_UAS = [...tagged("http-library"), "curl/8.5.0", "curl/7.88.1", "Wget/1.21.3", "Wget/1.24.5", "python-requests/2.32.3"].filter((ua) => isbot(ua));
const AUTOMATION_UAS = tagged("browser-automation");

interface Network { readonly asn: number; readonly asOrganization: string; readonly country: string }
const RESIDENTIAL: readonly Network[] = [
  { asn: 7922, asOrganization: "Comcast Cable Communications, LLC", country: "US" },
  { asn: 701, asOrganization: "Verizon Business", country: "US" },
  { asn: 21928, asOrganization: "T-Mobile USA, Inc.", country: "US" },
  { asn: 3320, asOrganization: "Deutsche Telekom AG", country: "DE" },
  { asn: 3215, asOrganization: "Orange", country: "FR" },
  { asn: 2856, asOrganization: "British Telecommunications PLC", country: "GB" },
  { asn: 4134, asOrganization: "Chinanet", country: "CN" },
  { asn: 9829, asOrganization: "National Internet Backbone", country: "IN" },
  { asn: 28573, asOrganization: "Claro NXT Telecomunicacoes Ltda", country: "BR" },
];
const DATACENTER: readonly Network[] = [
  { asn: 16509, asOrganization: "Amazon.com, Inc.", country: "US" },
  { asn: 15169, asOrganization: "Google LLC", country: "US" },
  { asn: 8075, asOrganization: "Microsoft Corporation", country: "US" },
  { asn: 14061, asOrganization: "DigitalOcean, LLC", country: "NL" },
  { asn: 24940, asOrganization: "Hetzner Online GmbH", country: "DE" },
  { asn: 16276, asOrganization: "OVH SAS", country: "FR" },
  { asn: 45102, asOrganization: "Alibaba US Technology Co., Ltd.", country: "SG" },
  { asn: 396982, asOrganization: "Google LLC", country: "US" },
];
const PAGES = ["/", "/blog/", "/blog/edge-caching", "/docs/getting-started", "/pricing", "/about", "/search", "/products/42"];

/** How a synthetic client presents itself and behaves. Probabilities are per report. */
interface Profile {
  readonly label: 0 | 1;
  readonly share: number;
  readonly userAgent: (r: SeededRandom) => string;
  readonly pAcceptLanguage: number;
  readonly pSecFetch: number;
  readonly pAcceptHtml: number;
  readonly pDatacenter: number;
  /** Median and log-spread of requests in the last minute. */
  readonly hits1m: readonly [number, number];
  /** Median and log-spread of tarpit answers in 10 minutes; the probability the client ever hit the tarpit. */
  readonly tarpit: readonly [number, number, number];
  /** Probability the report comes from an already blocklisted IP. */
  readonly pBlocklisted: number;
}

const browserUa = (r: SeededRandom): string => r.weighted(BROWSERS, (b) => b.weight).userAgent;
const PROFILES: Record<string, Profile> = {
  // People edge-guard tarpitted: many users behind one NAT/CGNAT address (IP-level bursts), or a browser extension
  // or prefetcher following a trap link; and people blocklisted earlier who come back.
  "human-nat": { label: 0, share: 0.22, userAgent: browserUa, pAcceptLanguage: 0.95, pSecFetch: 0.96, pAcceptHtml: 0.97, pDatacenter: 0.06, hits1m: [135, 0.35], tarpit: [4, 1, 0.9], pBlocklisted: 0.15 },
  "human-trap": { label: 0, share: 0.15, userAgent: browserUa, pAcceptLanguage: 0.92, pSecFetch: 0.95, pAcceptHtml: 0.95, pDatacenter: 0.12, hits1m: [4, 0.7], tarpit: [1, 0.5, 1], pBlocklisted: 0.15 },
  "human-privacy": { label: 0, share: 0.08, userAgent: browserUa, pAcceptLanguage: 0.3, pSecFetch: 0.7, pAcceptHtml: 0.9, pDatacenter: 0.6, hits1m: [6, 0.8], tarpit: [1, 0.5, 1], pBlocklisted: 0.25 },
  // Bots: declared AI crawlers, HTTP libraries and automation, and scrapers spoofing a browser (crudely or carefully).
  "bot-ai-crawler": { label: 1, share: 0.12, userAgent: (r) => r.pick(AI_CRAWLER_UAS), pAcceptLanguage: 0.15, pSecFetch: 0.05, pAcceptHtml: 0.6, pDatacenter: 0.9, hits1m: [20, 1.2], tarpit: [15, 1.2, 0.8], pBlocklisted: 0.15 },
  "bot-library": { label: 1, share: 0.1, userAgent: (r) => r.pick(LIBRARY_UAS), pAcceptLanguage: 0.05, pSecFetch: 0.02, pAcceptHtml: 0.1, pDatacenter: 0.7, hits1m: [50, 1.3], tarpit: [20, 1.3, 0.85], pBlocklisted: 0.15 },
  "bot-automation": { label: 1, share: 0.05, userAgent: (r) => r.pick(AUTOMATION_UAS), pAcceptLanguage: 0.7, pSecFetch: 0.8, pAcceptHtml: 0.9, pDatacenter: 0.8, hits1m: [40, 1.0], tarpit: [10, 1.2, 0.85], pBlocklisted: 0.15 },
  "bot-spoofed-crude": { label: 1, share: 0.14, userAgent: browserUa, pAcceptLanguage: 0.4, pSecFetch: 0.25, pAcceptHtml: 0.65, pDatacenter: 0.65, hits1m: [150, 0.9], tarpit: [30, 1.0, 0.9], pBlocklisted: 0.15 },
  "bot-spoofed-careful": { label: 1, share: 0.14, userAgent: browserUa, pAcceptLanguage: 0.92, pSecFetch: 0.9, pAcceptHtml: 0.95, pDatacenter: 0.15, hits1m: [40, 1.0], tarpit: [6, 1.2, 0.85], pBlocklisted: 0.15 },
};

function headersFor(p: Profile, ua: string, r: SeededRandom): Record<string, string> {
  const headers: Record<string, string> = {
    accept: r.chance(p.pAcceptHtml) ? "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" : "*/*",
  };
  if (r.chance(p.pAcceptLanguage)) headers["accept-language"] = r.pick(["en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9", "en-GB,en;q=0.8", "pt-BR,pt;q=0.9"]);
  if (isBrowserUserAgent(ua) && r.chance(p.pSecFetch)) Object.assign(headers, { "sec-fetch-mode": "navigate", "sec-fetch-site": r.pick(["none", "same-origin"]), "sec-fetch-dest": "document" });
  return headers;
}

function ipFor(index: number, datacenter: boolean): string {
  // Documentation ranges only (RFC 5737): the addresses carry no signal and point at no one.
  return `${datacenter ? "203.0.113" : "198.51.100"}.${index % 254 + 1}`;
}

function reportFor(index: number, kind: string, p: Profile, r: SeededRandom): DecisionReport {
  const userAgent = p.userAgent(r);
  const datacenter = r.chance(p.pDatacenter);
  const network = r.pick(datacenter ? DATACENTER : RESIDENTIAL);
  const hits1m = r.logNormalCount(p.hits1m[0], p.hits1m[1], 1);
  const hits10m = hits1m + r.logNormalCount(hits1m * 4, 0.5, 0);
  const [tarpitMedian, tarpitSpread, pTarpit] = p.tarpit;
  const blocklisted = r.chance(p.pBlocklisted);
  const reasons: DecisionReport["reasons"] = [];
  if (blocklisted) reasons.push({ code: "blocklist-ip", weight: BLOCKLIST_WEIGHT });
  if (isAiCrawlerUserAgent(userAgent)) reasons.push({ code: "ua-ai-crawler", weight: SIGNAL_WEIGHT });
  if (hits1m > BURST_PER_MINUTE) reasons.push({ code: "burst", weight: SIGNAL_WEIGHT, detail: `${hits1m}/min` });
  const enteredTarpit = r.chance(pTarpit);
  // A report exists only for a non-allow decision: without another signal, this request walked into the maze.
  const inTrap = reasons.length === 0 || (enteredTarpit && r.chance(0.5));
  if (inTrap) reasons.push({ code: "trap-path", weight: SIGNAL_WEIGHT });
  const score = reasons.reduce((sum, reason) => sum + reason.weight, 0);
  const action = blocklisted ? "block" : "tarpit";
  const earlierTarpit = enteredTarpit || inTrap ? Math.min(hits10m, r.logNormalCount(tarpitMedian, tarpitSpread, 0)) : 0;
  return DecisionReportSchema.parse({
    v: 1,
    id: `seed-${String(index).padStart(6, "0")}`,
    at: START_MS + index * 17_000,
    source: inTrap && r.chance(0.5) ? "tarpit" : "edge",
    ip: ipFor(index, datacenter),
    method: "GET",
    path: inTrap ? `/archive/${r.int(1000, 9999)}/${r.int(1, 99)}` : r.pick(PAGES),
    userAgent,
    headers: headersFor(p, userAgent, r),
    cf: { ...network, httpProtocol: r.pick(["HTTP/1.1", "HTTP/2", "HTTP/3"]), tlsVersion: "TLSv1.3" },
    action,
    score,
    reasons,
    counts: { hits1m, hits10m, tarpitHits: earlierTarpit + (action === "tarpit" ? 1 : 0) },
  });
}

/** Builds the dataset: `rows` reports, profiles in proportion to their share, in a seeded order. */
function makeSeedDataset(rows: number, seed: number): SeedRow[] {
  const r = new SeededRandom(seed);
  const kinds = Object.entries(PROFILES);
  const total = kinds.reduce((sum, [, p]) => sum + p.share, 0);
  const out: SeedRow[] = [];
  for (let i = 0; i < rows; i++) {
    const [kind, profile] = r.weighted(kinds, ([, p]) => p.share / total);
    out.push({ label: profile.label, kind, report: reportFor(i, kind, profile, r) });
  }
  return out;
}

function main(): void {
  const rows = Number(process.argv[2] ?? DEFAULT_ROWS);
  const seed = Number(process.argv[3] ?? DEFAULT_SEED);
  const dataset = makeSeedDataset(rows, seed);
  mkdirSync(dirname(SEED_DATASET_PATH), { recursive: true });
  const text = dataset.map((row) => JSON.stringify(row)).join("\n") + "\n";
  writeFileSync(SEED_DATASET_PATH, text);
  const bots = dataset.filter((row) => row.label === 1).length;
  console.log(`${SEED_DATASET_PATH}: ${rows} rows (${bots} bot, ${rows - bots} human), ${(text.length / 1024).toFixed(0)} KiB, seed ${seed}`);
  console.log(`UA pools: ${BROWSERS.length} browser, ${AI_CRAWLER_UAS.length} AI crawler, ${LIBRARY_UAS.length} library, ${AUTOMATION_UAS.length} automation`);
}

main();
