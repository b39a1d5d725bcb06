import { aiCrawlerToken, automationToken, scriptedClientToken } from "../crawlers";
import { bundledDeclaredBots, classifyDeclaredBot, isTextBrowser, type DeclaredBotMatcher } from "../declared-bots";
import type { Reason } from "../verdict";
import { signal } from "./registry";

export { isTextBrowser };

/**
 * What the User-Agent declares: a declared AI crawler, a scripting tool's default, browser automation, or a bot of
 * the public lists (link preview, feed reader, search or other crawler), or nothing at all. `lists` is the
 * compiled crawler-user-agents and isbot lists (the bundled snapshot unless the edge loaded a refresh).
 */
export function userAgentSignals(userAgent: string, lists: DeclaredBotMatcher = bundledDeclaredBots().matcher): Reason[] {
  const out: Reason[] = [];
  if (userAgent.trim() === "") return [signal("ua-empty")];
  const declared = classifyDeclaredBot(userAgent, lists);
  if (declared === null) return out;
  const crawler = aiCrawlerToken(userAgent);
  if (crawler !== null) out.push(signal("ua-ai-crawler", crawler));
  const tool = declared.kind === "link-preview" || declared.kind === "feed-reader" ? null : scriptedClientToken(userAgent);
  if (tool !== null) out.push(signal("ua-scripted", tool));
  // Weighed by header consistency already (`hdr-headless`); classified here for policies and reports.
  const automation = automationToken(userAgent);
  if (automation !== null) out.push(signal("ua-automation", automation));
  if (out.length > 0) return out;
  const detail = declared.token.slice(0, 60);
  if (declared.kind === "link-preview") out.push(signal("ua-link-preview", detail));
  else if (declared.kind === "feed-reader") out.push(signal("ua-feed-reader", detail));
  else out.push(signal("ua-declared-bot", `${declared.kind}:${detail}`));
  return out;
}
