import { escapeRegExp } from "./text";
/**
 * User-Agent product tokens of declared AI crawlers and AI agents: the single list edge-guard (signals, managed
 * robots.txt) and escalation (model features) share. Sources: the ai.robots.txt project
 * (https://github.com/ai-robots-txt/ai.robots.txt) and the `ai-crawler` tag of npm crawler-user-agents.
 * Search engines' main crawlers (Googlebot, Bingbot) are deliberately absent.
 */
export const AI_CRAWLER_TOKENS: readonly string[] = [
  "GPTBot",
  "ChatGPT-User",
  "ChatGPT-Agent",
  "OAI-SearchBot",
  "ClaudeBot",
  "Claude-Web",
  "Claude-User",
  "Claude-SearchBot",
  "anthropic-ai",
  "CCBot",
  "Google-Extended",
  "GoogleOther",
  "Google-CloudVertexBot",
  "Google-NotebookLM",
  "Applebot-Extended",
  "Bytespider",
  "PerplexityBot",
  "Perplexity-User",
  "PerplexityUser",
  "Meta-ExternalAgent",
  "Meta-ExternalFetcher",
  "FacebookBot",
  "Amazonbot",
  "Amzn-SearchBot",
  "Amzn-User",
  "cohere-ai",
  "cohere-training-data-crawler",
  "Diffbot",
  "ImagesiftBot",
  "Omgili",
  "omgilibot",
  "PetalBot",
  "YouBot",
  "AI2Bot",
  "Ai2Bot-Dolma",
  "Timpibot",
  "Kangaroo Bot",
  "PanguBot",
  "img2dataset",
  "DuckAssistBot",
  "MistralAI-User",
  "iaskspider",
  "iAskBot",
  "ISSCyberRiskCrawler",
  "Sidetrade indexer bot",
  "VelenPublicWebCrawler",
  "Webzio-Extended",
  "FriendlyCrawler",
  "SemrushBot-OCOB",
  "TikTokSpider",
  "Brightbot",
  "QualifiedBot",
  "Novellum",
  "Crawlspace",
  "FirecrawlAgent",
  "DeepSeekBot",
  "Scrapy-AI",
  "Devin",
  "Factset_spider",
  "wpbot",
  "LinerBot",
  "Andibot",
  "bigsur.ai",
  "AISearchBot",
  "SBIntuitionsBot",
  "Gemini-Deep-Research",
  "newsai",
  "Anomura",
  "ApifyBot",
  "ApifyWebsiteContentCrawler",
  "atlassian-bot",
  "AzureAI-SearchBot",
  "Channel3Bot",
  "Cloudflare-AutoRAG",
  "imageSpider",
  "kagi-fetcher",
  "laion-huggingface-processor",
  "LinkupBot",
  "PhindBot",
  "Poggio-Citations",
  "ShapBot",
  "TavilyBot",
  "ZanistaBot",
  "ExteContextCrawl",
  "Flyriverbot",
  "Aranet-SearchBot",
  "crawl4ai",
  "HenkBot",
  "semantic-visions",
  "TaraGroup Intelligent Bot",
  "Thinkbot",
  "TSM-turingos",
  "KendraBot",
  "ChatGLM-Spider",
  "ImageMind",
  "linkReader",
  "Spawning-AI",
  "The Knowledge AI",
  "KunatoCrawler",
  "TerraCotta",
];

/** Tokens of HTTP libraries and command-line tools as they identify themselves by default. */
export const SCRIPTED_CLIENT_TOKENS: readonly string[] = [
  "curl",
  "Wget",
  "python-requests",
  "python-urllib",
  "Python-urllib",
  "python-httpx",
  "Python/",
  "aiohttp",
  "httpx",
  "Go-http-client",
  "Java/",
  "okhttp",
  "Apache-HttpClient",
  "Jakarta",
  "node-fetch",
  "axios",
  "undici",
  "Node.js",
  "got (",
  "libwww-perl",
  "LWP::",
  "PHP/",
  "GuzzleHttp",
  "HTTrack",
  "Ruby",
  "HTTPie",
  "PowerShell",
  "WinInet",
  "Dart/",
  "dart:io",
  "reqwest",
  "colly",
  "Scrapy",
  "rest-client",
  "Faraday",
  "Deno/",
  "Bun/",
];

/**
 * Browser automation and headless runtimes. Kept apart from SCRIPTED_CLIENT_TOKENS because the edge already
 * weighs them through its header-consistency signal `hdr-headless`; escalation counts them as scripted.
 */
export const AUTOMATION_TOKENS: readonly string[] = ["HeadlessChrome", "PhantomJS", "Puppeteer", "Playwright", "Selenium", "SlimerJS"];

const alternation = (tokens: readonly string[]): string => tokens.map(escapeRegExp).join("|");

// AI tokens are whole words ("Devin" must not match "Devine"); tool tokens start the UA or follow a delimiter,
// so "Ruby" in a product comment does not count but "Ruby" as the whole UA does.
const AI_CRAWLER_RE = new RegExp(`\\b(${alternation(AI_CRAWLER_TOKENS)})(?![\\w-])`, "i");
const SCRIPTED_CLIENT_RE = new RegExp(`(?:^|[\\s(;/,])(${alternation(SCRIPTED_CLIENT_TOKENS)})`, "i");
const AUTOMATION_RE = new RegExp(`(?:^|[\\s(;/,])(${alternation(AUTOMATION_TOKENS)})`, "i");

/** The declared AI crawler token found in a User-Agent (as written there), or null. */
export function aiCrawlerToken(userAgent: string): string | null {
  return AI_CRAWLER_RE.exec(userAgent)?.[1] ?? null;
}

/** The scripted-client (HTTP library or CLI tool) token found in a User-Agent, or null. */
export function scriptedClientToken(userAgent: string): string | null {
  return SCRIPTED_CLIENT_RE.exec(userAgent)?.[1] ?? null;
}

/** The browser-automation token found in a User-Agent (HeadlessChrome, Puppeteer, ...), or null. */
export function automationToken(userAgent: string): string | null {
  return AUTOMATION_RE.exec(userAgent)?.[1] ?? null;
}

/**
 * A User-Agent that declares a robot of some kind: a bot, crawler, spider, fetcher, scraper, archiver or link
 * preview by name, or a contact URL. Such a client is held to robots.txt, is never judged as a browser (header
 * consistency, the model's `ua_browser`), and does not speak for its fleet group. A browser or a bare HTTP library
 * does not declare itself. The one definition: the edge, the model's features and the browser-claim parser use it.
 */
export function declaresBot(userAgent: string): boolean {
  return DECLARED_BOT_RE.test(userAgent);
}
const DECLARED_BOT_RE = /bot|crawl|spider|slurp|fetch|scrape|archiv|preview|https?:\/\//i;
