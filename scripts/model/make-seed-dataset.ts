/**
 * Writes models/seed-dataset.jsonl: labelled clients for `npm run train:model`, one line each:
 * `{"label": 0|1, "kind": profile, "report": DecisionReport, "history": [[msBeforeReport, path], …]}`.
 *
 * Honest summary: the User-Agent strings are real (npm `user-agents` for browsers, npm `crawler-user-agents` for
 * crawlers, libraries and automation) and the paths are the demo site's (dev/origin); everything else (which pages
 * a client visits and when, headers, networks) is SYNTHETIC, drawn from hand-set profiles. The edge's reasons and
 * signals are computed by the edge's own code (core/signals/*, registry weights), as today's edge reports them: every
 * signal a weighted reason, context signals included. Deterministic: same seed and package versions, same file. Run: `npx tsx scripts/model/make-seed-dataset.ts [rows] [seed]`.
 */
import { createRequire } from "node:module";
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import crawlers from "crawler-user-agents";
import { isbot } from "isbot";
import { DecisionReportSchema, type DecisionReport } from "../../core/report";
import { isAiCrawlerUserAgent, isBrowserUserAgent } from "../../core/features";
import { isTrapPath } from "../../core/trap-paths";
import { pathShape } from "../../core/path-sequence";
import { PRESETS } from "../../core/policy/presets";
import { datacenterBrowserSignals } from "../../core/signals/datacenter-browser";
import { headerConsistency } from "../../core/signals/header-consistency";
import { networkSignals } from "../../core/signals/network";
import { behaviourSignals, declaredBotBudget } from "../../core/signals/behaviour";
import { signal } from "../../core/signals/registry";
import { browserClaim } from "../../core/signals/user-agent";
import { userAgentSignals } from "../../core/signals/user-agent-class";
import { SeededRandom } from "./seeded-random";
import { isTextBrowser } from "../../core/declared-bots";
import {
  CHALLENGE_VERIFY_PATH,
  crawlerSession,
  demoSitePaths,
  humanSession,
  interleave,
  type AssetMode,
  type Hit,
  type ReadingOptions,
  type SitePaths,
} from "./seed-browsing";

const SEED_DATASET_PATH = "models/seed-dataset.jsonl";
const DEFAULT_ROWS = 2500;
const DEFAULT_SEED = 20261122;
const START_MS = Date.UTC(2026, 10, 1);
const HISTORY_KEPT = 50; // core/client-history.ts HISTORY_MAX: more is never read
const ALWAYS_ALLOWED_RE = /^\/(?:robots\.txt|sitemap\.xml|favicon\.ico|\.well-known\/.*)$/;

const require = createRequire(import.meta.url);
interface BrowserProfile {
  readonly userAgent: string;
  readonly weight: number;
}
const BROWSERS = (
  JSON.parse(readFileSync(join(dirname(require.resolve("user-agents")), "user-agents.json"), "utf8")) as BrowserProfile[]
).filter((b) => isBrowserUserAgent(b.userAgent) && !isbot(b.userAgent)); // two independent classifiers agree
// The package's ESM typings omit `tags`, which its JSON has.
const CRAWLERS = crawlers as readonly { readonly instances: string[]; readonly tags?: string[] }[];
const tagged = (tag: string): string[] =>
  [...new Set(CRAWLERS.filter((c) => c.tags?.includes(tag)).flatMap((c) => c.instances))].filter((ua) => ua.length <= 1024);
const AI_CRAWLER_UAS = tagged("ai-crawler").filter((ua) => isAiCrawlerUserAgent(ua) && isbot(ua));
const LIBRARY_UAS = [...tagged("http-library"), "curl/8.5.0", "Wget/1.21.3", "python-requests/2.32.3"].filter((ua) => isbot(ua));
const AUTOMATION_UAS = tagged("browser-automation");
/** Text browsers people read with (hand-written: the npm lists above hold none). */
const TEXT_BROWSER_UAS = [
  "Lynx/2.9.0dev.12 libwww-FM/2.14 SSL-MM/1.4.1 GNUTLS/3.7.8",
  "Lynx/2.8.9rel.1 libwww-FM/2.14 SSL-MM/1.4.1 OpenSSL/1.1.1w",
  "w3m/0.5.3+git20230121",
  "Links (2.29; Linux 6.1.0-18-amd64 x86_64; GNU C 12.2; text)",
  "ELinks/0.16.1.1 (textmode; Linux 6.1.0-18-amd64 x86_64; 200x50-2)",
].filter((ua) => isTextBrowser(ua));

interface Network {
  readonly asn: number;
  readonly asOrganization: string;
  readonly country: string;
}
const RESIDENTIAL: readonly Network[] = [
  { asn: 7922, asOrganization: "Comcast Cable Communications, LLC", country: "US" },
  { asn: 21928, asOrganization: "T-Mobile USA, Inc.", country: "US" },
  { asn: 3320, asOrganization: "Deutsche Telekom AG", country: "DE" },
  { asn: 3215, asOrganization: "Orange", country: "FR" },
  { asn: 2856, asOrganization: "British Telecommunications PLC", country: "GB" },
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
];
/**
 * Where people on hosting networks come from: commercial VPN exits (M247, Datacamp, and self-hosted VPNs on
 * DigitalOcean or Hetzner) and office cloud desktops (Amazon WorkSpaces, Windows 365 / Azure Virtual Desktop).
 */
const VPN_AND_CLOUD_DESKTOP: readonly Network[] = [
  { asn: 9009, asOrganization: "M247 Europe SRL", country: "GB" },
  { asn: 9009, asOrganization: "M247 Europe SRL", country: "US" },
  { asn: 60068, asOrganization: "Datacamp Limited", country: "DE" },
  { asn: 14061, asOrganization: "DigitalOcean, LLC", country: "NL" },
  { asn: 24940, asOrganization: "Hetzner Online GmbH", country: "DE" },
  { asn: 16509, asOrganization: "Amazon.com, Inc.", country: "US" },
  { asn: 8075, asOrganization: "Microsoft Corporation", country: "US" },
];

/** How a synthetic client presents itself and behaves. Probabilities are per client. */
interface Profile {
  readonly label: 0 | 1;
  readonly share: number;
  readonly userAgent: (r: SeededRandom) => string;
  readonly session: (r: SeededRandom, site: SitePaths, start: number) => Hit[];
  readonly pAcceptLanguage: number;
  readonly pSecFetch: number;
  readonly pClientHints: number;
  /** Chance the client hints it sends contradict its User-Agent (a careless spoofer). */
  readonly pHintMismatch: number;
  readonly pHttp1: number;
  readonly pDatacenter: number;
  /** The hosting networks this profile uses (default DATACENTER). */
  readonly hostingNetworks?: readonly Network[];
  /**
   * The edge reports every request of this client (its network alone earns a challenge), so the report is any of its
   * requests, early ones as often as late ones. Otherwise the report is most often a later one.
   */
  readonly everyRequestReported?: boolean;
  readonly pBlocklisted: number;
}

const browserUa = (r: SeededRandom): string => r.weighted(BROWSERS, (b) => b.weight).userAgent;
const people =
  (assets: AssetMode, options: ReadingOptions = {}) =>
  (r: SeededRandom, site: SitePaths, start: number) =>
    humanSession(r, site, start, assets, options);
const bots =
  (gapMs: number, assets: AssetMode, robots: number, sitemap: number, maxTrap: number) =>
  (r: SeededRandom, site: SitePaths, start: number) =>
    crawlerSession(r, site, start, { gapMs, assets, robots, sitemap, trapDepth: r.chance(0.5) ? r.int(0, maxTrap) : 0 });
const human = {
  label: 0,
  userAgent: browserUa,
  pAcceptLanguage: 0.97,
  pSecFetch: 0.97,
  pClientHints: 0.97,
  pHintMismatch: 0.01,
  pHttp1: 0.03,
} as const;
const PROFILES: Record<string, Profile> = {
  "human-reader": { ...human, share: 0.2, session: people("browser"), pDatacenter: 0.05, pBlocklisted: 0.02 },
  // A prefetcher or an extension follows a hidden trap link; the edge tarpits that one request.
  "human-trap": { ...human, share: 0.1, session: people("browser", { trap: 0.3 }), pDatacenter: 0.1, pBlocklisted: 0.1 },
  "human-privacy": {
    ...human,
    share: 0.07,
    session: people("css-only"),
    pAcceptLanguage: 0.4,
    pSecFetch: 0.8,
    pClientHints: 0.6,
    pDatacenter: 0.6,
    pBlocklisted: 0.1,
  },
  // Several people behind one address (office, CGNAT): interleaved sessions.
  "human-nat": {
    ...human,
    share: 0.1,
    session: (r, site, start) =>
      interleave(Array.from({ length: r.int(2, 6) }, () => humanSession(r, site, start + r.int(0, 300_000), "browser"))),
    pDatacenter: 0.03,
    pBlocklisted: 0.1,
  },
  /**
   * People reading in a browser through a VPN or an office cloud desktop: the edge's network context signals
   * (`asn-datacenter` + `browser-from-datacenter`, 40 points: the moderate preset's challenge) on every request, so
   * every request is reported. 8 % of clients, a sixth of the people here: surveys put regular VPN use at a fifth to a
   * third of internet users, and commercial VPN exits and cloud desktops sit on hosting networks. A plausible share,
   * not a measurement; without it, hosting networks looked like pure bot evidence (issue 15).
   */
  "human-hosting": {
    ...human,
    share: 0.08,
    // Challenged on their first page, which they solve; then they read as anyone does.
    session: people("browser", { solvesChallenge: true }),
    pDatacenter: 1,
    hostingNetworks: VPN_AND_CLOUD_DESKTOP,
    everyRequestReported: true,
    pBlocklisted: 0.02,
  },
  /**
   * People reading in lynx, w3m or links: no subresources, no Sec-Fetch, often on a shell account on a server (the
   * browser runs there, so its requests come from a hosting network). 1 % of clients.
   */
  "human-text": {
    ...human,
    share: 0.01,
    userAgent: (r) => r.pick(TEXT_BROWSER_UAS),
    session: people("none"),
    pSecFetch: 0,
    pClientHints: 0,
    pHttp1: 0.2,
    pDatacenter: 0.6,
    hostingNetworks: VPN_AND_CLOUD_DESKTOP,
    pBlocklisted: 0.02,
  },
  "bot-ai-crawler": {
    label: 1,
    share: 0.12,
    userAgent: (r) => r.pick(AI_CRAWLER_UAS),
    session: bots(2_000, "none", 0.6, 0.5, 30),
    pAcceptLanguage: 0.1,
    pSecFetch: 0.05,
    pClientHints: 0,
    pHintMismatch: 0,
    pHttp1: 0.6,
    pDatacenter: 0.9,
    pBlocklisted: 0.1,
  },
  "bot-library": {
    label: 1,
    share: 0.1,
    userAgent: (r) => r.pick(LIBRARY_UAS),
    session: bots(600, "none", 0.3, 0.4, 40),
    pAcceptLanguage: 0.05,
    pSecFetch: 0.02,
    pClientHints: 0,
    pHintMismatch: 0,
    pHttp1: 0.9,
    pDatacenter: 0.7,
    pBlocklisted: 0.1,
  },
  "bot-automation": {
    label: 1,
    share: 0.05,
    userAgent: (r) => r.pick(AUTOMATION_UAS),
    session: bots(2_500, "browser", 0.1, 0.6, 10),
    pAcceptLanguage: 0.7,
    pSecFetch: 0.8,
    pClientHints: 0.5,
    pHintMismatch: 0.3,
    pHttp1: 0.3,
    pDatacenter: 0.8,
    pBlocklisted: 0.1,
  },
  "bot-spoofed-crude": {
    label: 1,
    share: 0.13,
    userAgent: browserUa,
    session: bots(700, "none", 0.2, 0.5, 40),
    pAcceptLanguage: 0.4,
    pSecFetch: 0.2,
    pClientHints: 0.1,
    pHintMismatch: 0.5,
    pHttp1: 0.7,
    pDatacenter: 0.65,
    pBlocklisted: 0.1,
  },
  "bot-spoofed-careful": {
    label: 1,
    share: 0.13,
    userAgent: browserUa,
    session: bots(12_000, "css-only", 0.05, 0.7, 4),
    pAcceptLanguage: 0.92,
    pSecFetch: 0.9,
    pClientHints: 0.85,
    pHintMismatch: 0.15,
    pHttp1: 0.1,
    pDatacenter: 0.2,
    pBlocklisted: 0.1,
  },
};

const CH_PLATFORM: Record<string, string> = {
  windows: "Windows",
  macos: "macOS",
  linux: "Linux",
  chromeos: "Chrome OS",
  android: "Android",
};

function headersFor(p: Profile, ua: string, path: string, r: SeededRandom): Record<string, string> {
  const shape = pathShape(path);
  const text = isTextBrowser(ua);
  const library = !text && !isBrowserUserAgent(ua);
  const accept = text
    ? "text/html, text/plain, text/sgml, text/css, */*;q=0.01" // lynx's
    : library
      ? "*/*"
      : shape !== "asset"
        ? "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        : path.endsWith(".css")
          ? "text/css,*/*;q=0.1"
          : "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
  const headers: Record<string, string> = { accept, "accept-encoding": library || text ? "gzip, deflate" : "gzip, deflate, br, zstd" };
  if (r.chance(p.pAcceptLanguage))
    headers["accept-language"] = r.pick([
      "en-US,en;q=0.9",
      "de-DE,de;q=0.9,en;q=0.8",
      "fr-FR,fr;q=0.9",
      "en-GB,en;q=0.8",
      "pt-BR,pt;q=0.9",
    ]);
  if (r.chance(p.pSecFetch)) {
    const asset = shape === "asset";
    Object.assign(headers, {
      "sec-fetch-mode": asset ? "no-cors" : "navigate",
      "sec-fetch-site": asset ? "same-origin" : r.pick(["none", "same-origin"]),
      "sec-fetch-dest": asset ? (path.endsWith(".css") ? "style" : "image") : "document",
    });
  }
  const claim = browserClaim(ua);
  if (claim.engine === "blink" && claim.chromiumMajor !== null && r.chance(p.pClientHints)) {
    const major = r.chance(p.pHintMismatch) ? claim.chromiumMajor - r.int(1, 20) : claim.chromiumMajor;
    const brand = claim.family === "edge" ? "Microsoft Edge" : "Google Chrome";
    headers["sec-ch-ua"] = `"Chromium";v="${major}", "${brand}";v="${major}", "Not_A Brand";v="24"`;
    headers["sec-ch-ua-mobile"] = claim.mobile ? "?1" : "?0";
    headers["sec-ch-ua-platform"] = `"${CH_PLATFORM[claim.platform] ?? "Unknown"}"`;
  }
  return headers;
}

const inWindow = (hits: readonly Hit[], at: number, ms: number) => hits.filter((h) => h.at > at - ms && h.at <= at);

function reportFor(index: number, p: Profile, hits: readonly Hit[], current: Hit, r: SeededRandom): DecisionReport {
  const userAgent = p.userAgent(r);
  const datacenter = r.chance(p.pDatacenter);
  const network = r.pick(datacenter ? (p.hostingNetworks ?? DATACENTER) : RESIDENTIAL);
  const cf = { ...network, httpProtocol: r.chance(p.pHttp1) ? "HTTP/1.1" : r.pick(["HTTP/2", "HTTP/3"]), tlsVersion: "TLSv1.3" };
  const headers = headersFor(p, userAgent, current.path, r);
  const minute = inWindow(hits, current.at, 60_000);
  const tenMinutes = inWindow(hits, current.at, 600_000);
  const counts = { hits1m: minute.length, hits10m: tenMinutes.length, tarpitHits: tenMinutes.filter((h) => isTrapPath(h.path)).length };
  if (current.path === CHALLENGE_VERIFY_PATH) return solvedChallengeReport(index, current, userAgent, headers, cf);
  const trap = isTrapPath(current.path);
  const isPage = (h: Hit) => pathShape(h.path) !== "asset";
  const uaSignals = userAgentSignals(userAgent);
  const computed = [
    ...headerConsistency({ userAgent, headers, cf }),
    ...uaSignals,
    ...networkSignals(cf),
    ...datacenterBrowserSignals(cf, userAgent),
    ...behaviourSignals(
      {
        ip: { m1: minute.length, m10: tenMinutes.length },
        ipPages: { m1: minute.filter(isPage).length, m10: tenMinutes.filter(isPage).length },
        ipAssets: { m1: minute.length - minute.filter(isPage).length, m10: tenMinutes.length - tenMinutes.filter(isPage).length },
        // Hops before this one: the labyrinth's own first answer does not make a visitor yet.
        ipTarpit: { m1: 0, m10: counts.tarpitHits - (trap ? 1 : 0) },
        prefix: { m1: minute.length, m10: tenMinutes.length },
        asn: null,
        fingerprint: { m1: minute.length, m10: tenMinutes.length },
      },
      {
        textBrowser: isTextBrowser(userAgent),
        scripted: uaSignals.some((s) => s.code === "ua-scripted"),
        declaredBot: declaredBotBudget(uaSignals),
        page: isPage(current),
      },
    ),
  ];
  // What today's edge reports: every signal as a reason with its registry weight (the moderate preset overrides none).
  const reasons: DecisionReport["reasons"] = r.chance(p.pBlocklisted) ? [signal("blocklist-ip")] : [];
  if (reasons.length > 0 || !ALWAYS_ALLOWED_RE.test(current.path)) reasons.push(...computed, ...(trap ? [signal("trap-path")] : []));
  const score = reasons.reduce((sum, reason) => sum + reason.weight, 0);
  const t = PRESETS.moderate.thresholds;
  return DecisionReportSchema.parse({
    v: 1,
    id: `seed-${String(index).padStart(6, "0")}`,
    at: current.at,
    source: trap && r.chance(0.5) ? "tarpit" : "edge",
    ip: `${datacenter ? "203.0.113" : "198.51.100"}.${(index % 254) + 1}`, // documentation ranges only (RFC 5737)
    method: "GET",
    path: current.path,
    userAgent,
    headers,
    cf,
    action: score >= t.block ? "block" : score >= t.tarpit ? "tarpit" : score >= t.challenge ? "challenge" : "allow",
    score,
    reasons,
    counts,
    signals: [...new Set([...computed.map((s) => s.code), ...(trap ? ["trap-path"] : [])])],
  });
}

/** What the challenge page reports when a browser posts a right answer (workers/edge-guard/app.ts): a person, labelled. */
function solvedChallengeReport(
  index: number,
  current: Hit,
  userAgent: string,
  headers: Record<string, string>,
  cf: DecisionReport["cf"],
): DecisionReport {
  return DecisionReportSchema.parse({
    v: 1,
    id: `seed-${String(index).padStart(6, "0")}`,
    at: current.at,
    source: "challenge",
    ip: `203.0.113.${(index % 254) + 1}`,
    method: "POST",
    path: current.path,
    userAgent,
    headers: { ...headers, "sec-fetch-site": "same-origin" },
    cf,
    action: "allow",
    score: 0,
    reasons: [{ code: "challenge-solved", weight: 0, detail: "pow" }],
    counts: { hits1m: 0, hits10m: 0, tarpitHits: 0 },
    signals: ["challenge-solved"],
    label: { kind: "challenge-solved", value: "human" },
  });
}

/** One seed line: the labelled report and the client's earlier requests as [ms before the report, path]. */
interface SeedRow {
  readonly label: 0 | 1;
  readonly kind: string;
  readonly report: DecisionReport;
  readonly history: [number, string][];
}

function makeSeedDataset(rows: number, seed: number): SeedRow[] {
  const r = new SeededRandom(seed);
  const site = demoSitePaths();
  const kinds = Object.entries(PROFILES);
  const out: SeedRow[] = [];
  for (let i = 0; i < rows; i++) {
    const [kind, profile] = r.weighted(kinds, ([, p]) => p.share);
    const hits = profile.session(r, site, START_MS + i * 3_600_000).sort((a, b) => a.at - b.at);
    // The report is any one of the client's requests (the edge reports them all), most often a later one.
    const u = r.next();
    const cut = Math.min(hits.length - 1, Math.floor(hits.length * (profile.everyRequestReported === true ? u : Math.sqrt(u))));
    const current = hits[cut] ?? { at: START_MS, path: "/" };
    const report = reportFor(i, profile, hits.slice(0, cut + 1), current, r);
    const history = hits.slice(Math.max(0, cut - HISTORY_KEPT), cut).filter((h) => h.at >= current.at - 30 * 60_000);
    out.push({ label: profile.label, kind, report, history: history.map((h) => [h.at - current.at, h.path]) });
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
  console.log(
    `${SEED_DATASET_PATH}: ${rows} rows (${bots} bot, ${rows - bots} human), ${(text.length / 1024).toFixed(0)} KiB, seed ${seed}`,
  );
  console.log(
    `UA pools: ${BROWSERS.length} browser, ${AI_CRAWLER_UAS.length} AI crawler, ${LIBRARY_UAS.length} library, ${AUTOMATION_UAS.length} automation`,
  );
}

main();
