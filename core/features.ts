import type { DecisionReport } from "./report";

/**
 * The model's inputs, in column order. Training (scripts/train-model.ts) and serving (escalation) both call
 * `extractFeatures`, and the ONNX file records this list, so a model built for other columns is refused at load.
 * Append-only in spirit: changing it means retraining.
 */
export const FEATURE_NAMES = [
  "ua_ai_crawler",
  "ua_scripted",
  "ua_browser",
  "no_accept_language",
  "browser_without_sec_fetch",
  "accept_wildcard_only",
  "log1p_hits_1m",
  "log1p_hits_10m",
  "log1p_tarpit_hits",
  "datacenter_asn",
  "edge_score",
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Number of model inputs (the F of the model's `[N, F]` input). */
export const FEATURE_COUNT = FEATURE_NAMES.length;

/** `metadata_props` keys under which a model file records its version and its comma-joined feature names. */
export const MODEL_METADATA_KEYS = { version: "edge_guard.version", features: "edge_guard.features" } as const;

/** The edge rule score at which `edge_score` saturates at 1 (two of edge-guard's 50-point signals). */
export const EDGE_SCORE_FULL = 100;

/** Edge reason codes left out of `edge_score`: a blocklisted IP's later reports must not keep its block alive. */
const SELF_REINFORCING_REASONS: ReadonlySet<string> = new Set(["blocklist-ip"]);

// Self-declared AI crawlers and AI agents: product tokens as their operators publish them, after
// https://github.com/ai-robots-txt/ai.robots.txt and the `ai-crawler` tag of npm crawler-user-agents.
// Search engines' main crawlers are deliberately absent.
const AI_CRAWLER_TOKENS: readonly string[] = [
  "GPTBot", "ChatGPT-User", "ChatGPT-Agent", "OAI-SearchBot", "ClaudeBot", "Claude-Web", "Claude-User",
  "Claude-SearchBot", "anthropic-ai", "CCBot", "PerplexityBot", "Perplexity-User", "PerplexityUser", "Bytespider",
  "Amazonbot", "Applebot-Extended", "meta-externalagent", "meta-externalfetcher", "FacebookBot", "cohere-ai",
  "cohere-training-data-crawler", "Diffbot", "Google-Extended", "GoogleOther", "ImagesiftBot", "Omgili", "YouBot",
  "Timpibot", "AI2Bot", "Ai2Bot-Dolma", "DuckAssistBot", "MistralAI-User", "PetalBot", "Kangaroo Bot", "img2dataset",
  "Webzio-Extended", "iaskspider", "ICC-Crawler", "PanguBot", "Brightbot", "Crawlspace", "FirecrawlAgent",
  "DeepSeekBot", "TikTokSpider", "Scrapy-AI", "Devin", "QualifiedBot", "Novellum", "Sidetrade indexer bot",
  "VelenPublicWebCrawler", "Factset_spider", "SemrushBot-OCOB", "wpbot", "LinerBot", "Andibot", "bigsur.ai",
  "AISearchBot", "SBIntuitionsBot", "Gemini-Deep-Research", "newsai", "Amzn-SearchBot", "Amzn-User", "Anomura",
  "ApifyBot", "ApifyWebsiteContentCrawler", "atlassian-bot", "AzureAI-SearchBot", "Channel3Bot",
  "Cloudflare-AutoRAG", "Google-NotebookLM", "Google-CloudVertexBot", "imageSpider", "kagi-fetcher",
  "laion-huggingface-processor", "LinkupBot", "PhindBot", "Poggio-Citations", "ShapBot", "TavilyBot", "ZanistaBot",
  "ExteContextCrawl", "Flyriverbot", "Aranet-SearchBot", "crawl4ai", "HenkBot", "semantic-visions",
  "TaraGroup Intelligent Bot", "Thinkbot", "TSM-turingos", "KendraBot", "ChatGLM-Spider", "iAskBot", "ImageMind",
  "linkReader", "Spawning-AI", "The Knowledge AI", "KunatoCrawler", "TerraCotta",
];
const AI_CRAWLER = new RegExp(`\\b(?:${AI_CRAWLER_TOKENS.map(escapeRegExp).join("|")})\\b`, "i");

// HTTP libraries, command-line tools and browser automation: clients no person browses with.
const SCRIPTED =
  /(^|[\s(;/])(curl|wget|python-requests|python-urllib|python-httpx|python\/|aiohttp|httpx|go-http-client|java\/|okhttp|apache-httpclient|jakarta|scrapy|node-fetch|axios|undici|node\.js|got \(|libwww-perl|lwp::|php\/|guzzlehttp|ruby|httpie|powershell|wininet|headlesschrome|phantomjs|puppeteer|playwright|selenium|colly|reqwest|rest-client|faraday|dart:io|deno\/|bun\/)/i;

const BROWSER_SHELL = /^Mozilla\/5\.0 \(/;
const BROWSER_ENGINE =
  /\b(Chrome|CriOS|Firefox|FxiOS|Version\/[\d.]+ (Mobile\/\w+ )?Safari|Edg|EdgA|EdgiOS|OPR|SamsungBrowser|GSA)\/?[\d.]|\(KHTML, like Gecko\) Mobile\/\w+$/;
const DECLARED_ROBOT = /bot\b|crawl|spider|slurp|fetcher|preview|\+https?:/i;

// Hosting and cloud networks: a person rarely browses from one, unless through a VPN.
// ASNs: AWS, Google, Microsoft, DigitalOcean, OVH, Hetzner, Linode/Akamai, Vultr, Alibaba, Tencent, Oracle,
// Contabo, Scaleway, Leaseweb, M247, Datacamp, Huawei Cloud, IONOS, Cloudflare Workers egress.
const DATACENTER_ASNS: ReadonlySet<number> = new Set([
  16509, 14618, 8987, 15169, 396982, 19527, 8075, 8068, 14061, 16276, 24940, 63949, 20473, 45102, 37963, 132203, 31898,
  51167, 12876, 60781, 28753, 9009, 60068, 136907, 55990, 8560, 13335,
]);
const DATACENTER_ORG =
  /amazon|aws|google cloud|microsoft|azure|digitalocean|ovh|hetzner|linode|akamai|vultr|choopa|alibaba|tencent|oracle|contabo|scaleway|leaseweb|m247|datacamp|hosting|server|data ?cent(er|re)|colo(cation)?\b|\bvps\b|cloud/i;

/** True when the User-Agent names a known AI crawler or AI agent. */
export function isAiCrawlerUserAgent(userAgent: string): boolean {
  return AI_CRAWLER.test(userAgent);
}

/** True for empty User-Agents and those of HTTP libraries, CLI tools and headless/automated browsers. */
export function isScriptedUserAgent(userAgent: string): boolean {
  return userAgent.trim() === "" || SCRIPTED.test(userAgent);
}

/** True when the User-Agent looks like a mainstream interactive browser (which a scraper may be spoofing). */
export function isBrowserUserAgent(userAgent: string): boolean {
  return (
    BROWSER_SHELL.test(userAgent) &&
    BROWSER_ENGINE.test(userAgent) &&
    !DECLARED_ROBOT.test(userAgent) &&
    !isAiCrawlerUserAgent(userAgent) &&
    !isScriptedUserAgent(userAgent)
  );
}

/** True when `request.cf` places the client in a hosting or cloud network. False when unknown. */
export function isDatacenterNetwork(cf: DecisionReport["cf"]): boolean {
  if (cf.asn !== undefined && DATACENTER_ASNS.has(cf.asn)) return true;
  return cf.asOrganization !== undefined && DATACENTER_ORG.test(cf.asOrganization);
}

function header(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** The edge's score without reasons that only echo an earlier escalation (see SELF_REINFORCING_REASONS). */
export function edgeRuleScore(report: DecisionReport): number {
  return report.reasons.reduce((sum, r) => (SELF_REINFORCING_REASONS.has(r.code) ? sum : sum + r.weight), 0);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

const flag = (condition: boolean): number => (condition ? 1 : 0);
const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/**
 * The model's input row for one report, in `FEATURE_NAMES` order. Counts are log1p-scaled, the edge rule score
 * is clamped to [0, 1] over `EDGE_SCORE_FULL`, everything else is a 0/1 flag. Pure and total: never throws.
 */
export function extractFeatures(report: DecisionReport): number[] {
  const ua = report.userAgent;
  const browser = isBrowserUserAgent(ua);
  const acceptLanguage = header(report.headers, "accept-language")?.trim() ?? "";
  const accept = header(report.headers, "accept")?.trim() ?? "";
  const row: Record<FeatureName, number> = {
    ua_ai_crawler: flag(isAiCrawlerUserAgent(ua)),
    ua_scripted: flag(isScriptedUserAgent(ua)),
    ua_browser: flag(browser),
    no_accept_language: flag(acceptLanguage === ""),
    browser_without_sec_fetch: flag(browser && header(report.headers, "sec-fetch-mode") === undefined),
    accept_wildcard_only: flag(accept === "" || accept === "*/*"),
    log1p_hits_1m: Math.log1p(report.counts.hits1m),
    log1p_hits_10m: Math.log1p(report.counts.hits10m),
    log1p_tarpit_hits: Math.log1p(report.counts.tarpitHits),
    datacenter_asn: flag(isDatacenterNetwork(report.cf)),
    edge_score: clamp01(edgeRuleScore(report) / EDGE_SCORE_FULL),
  };
  return FEATURE_NAMES.map((name) => row[name]);
}

/** Names each value of a feature row (for logs and the `decisions.features` column). */
export function namedFeatures(row: readonly number[]): Record<FeatureName, number> {
  return Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, row[i] ?? 0])) as Record<FeatureName, number>;
}
