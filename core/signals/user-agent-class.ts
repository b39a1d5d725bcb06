import { aiCrawlerToken, scriptedClientToken } from "../crawlers";
import type { Reason } from "../verdict";

/** Text-mode browsers: no JS, no subresources, no client hints, and still people. */
const TEXT_BROWSER_RE = /^(?:Lynx|w3m|Links|ELinks|Browsh)\b|\((?:Lynx|w3m)/i;

/** True for lynx, w3m, links and elinks. */
export function isTextBrowser(userAgent: string): boolean {
  return TEXT_BROWSER_RE.test(userAgent);
}

/** What the User-Agent declares: a declared AI crawler, a scripting tool's default, or nothing at all. */
export function userAgentSignals(userAgent: string): Reason[] {
  const out: Reason[] = [];
  if (userAgent.trim() === "") out.push({ code: "ua-empty", weight: 45 });
  const crawler = aiCrawlerToken(userAgent);
  if (crawler !== null) out.push({ code: "ua-ai-crawler", weight: 60, detail: crawler });
  const tool = scriptedClientToken(userAgent);
  if (tool !== null) out.push({ code: "ua-scripted", weight: 30, detail: tool });
  return out;
}
