/**
 * User-Agent product tokens of declared AI crawlers and AI agents.
 * Source: the ai.robots.txt project's list (https://github.com/ai-robots-txt/ai.robots.txt), abridged.
 */
export const AI_CRAWLER_TOKENS: readonly string[] = [
  "GPTBot", "ChatGPT-User", "OAI-SearchBot", "ClaudeBot", "Claude-Web", "Claude-User", "Claude-SearchBot", "anthropic-ai",
  "CCBot", "Google-Extended", "GoogleOther", "Google-CloudVertexBot", "Applebot-Extended", "Bytespider", "PerplexityBot",
  "Perplexity-User", "Meta-ExternalAgent", "Meta-ExternalFetcher", "FacebookBot", "Amazonbot", "cohere-ai",
  "cohere-training-data-crawler", "Diffbot", "ImagesiftBot", "Omgili", "omgilibot", "PetalBot", "YouBot", "AI2Bot",
  "Ai2Bot-Dolma", "Timpibot", "Kangaroo Bot", "PanguBot", "img2dataset", "DuckAssistBot", "MistralAI-User",
  "iaskspider", "ISSCyberRiskCrawler", "Sidetrade indexer bot", "VelenPublicWebCrawler", "Webzio-Extended",
  "FriendlyCrawler", "SemrushBot-OCOB", "TikTokSpider", "Brightbot", "QualifiedBot", "Novellum", "Crawlspace",
];

/** Tokens of HTTP libraries and command-line tools as they identify themselves by default. */
export const SCRIPTED_CLIENT_TOKENS: readonly string[] = [
  "curl/", "Wget/", "python-requests/", "python-urllib/", "Python-urllib/", "aiohttp/", "httpx/", "Go-http-client/",
  "Java/", "okhttp/", "Apache-HttpClient/", "node-fetch/", "axios/", "undici", "libwww-perl/", "HTTrack", "httrack",
  "Ruby", "PHP/", "Dart/", "reqwest/", "colly", "Scrapy/",
];

function tokenMatcher(tokens: readonly string[]): RegExp {
  const escaped = tokens.map((t) => t.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
  return new RegExp(`(?:${escaped.join("|")})`, "i");
}

const AI_CRAWLER_RE = tokenMatcher(AI_CRAWLER_TOKENS);
const SCRIPTED_CLIENT_RE = tokenMatcher(SCRIPTED_CLIENT_TOKENS);

/** The declared AI crawler token found in a User-Agent, or null. */
export function aiCrawlerToken(userAgent: string): string | null {
  return AI_CRAWLER_RE.exec(userAgent)?.[0] ?? null;
}

/** The scripted-client token found in a User-Agent, or null. */
export function scriptedClientToken(userAgent: string): string | null {
  return SCRIPTED_CLIENT_RE.exec(userAgent)?.[0] ?? null;
}
