import { aiCrawlerToken, automationToken, scriptedClientToken } from "../crawlers";
import { bundledDeclaredBots, classifyDeclaredBot, isTextBrowser, type DeclaredBotMatcher } from "../declared-bots";
import type { Reason } from "../verdict";

export { isTextBrowser };

/**
 * Weight of the declared-bot signals: small, so a declared bot alone is never challenged, but above zero, so the
 * edge counts its pages exactly across isolates (the ledger sync) and its page budget holds.
 */
export const DECLARED_BOT_WEIGHT = 5;

/**
 * What the User-Agent declares: a declared AI crawler, a scripting tool's default, browser automation, or a bot of
 * the public lists (link preview, feed reader, search or other crawler), or nothing at all. `lists` is the
 * compiled crawler-user-agents and isbot lists (the bundled snapshot unless the edge loaded a refresh).
 */
export function userAgentSignals(userAgent: string, lists: DeclaredBotMatcher = bundledDeclaredBots().matcher): Reason[] {
  const out: Reason[] = [];
  if (userAgent.trim() === "") return [{ code: "ua-empty", weight: 45 }];
  const declared = classifyDeclaredBot(userAgent, lists);
  if (declared === null) return out;
  const crawler = aiCrawlerToken(userAgent);
  if (crawler !== null) out.push({ code: "ua-ai-crawler", weight: 60, detail: crawler });
  const tool = declared.kind === "link-preview" || declared.kind === "feed-reader" ? null : scriptedClientToken(userAgent);
  if (tool !== null) out.push({ code: "ua-scripted", weight: 30, detail: tool });
  // Weighed by header consistency already (`hdr-headless`); classified here for policies and reports.
  const automation = automationToken(userAgent);
  if (automation !== null) out.push({ code: "ua-automation", weight: 0, detail: automation });
  if (out.length > 0) return out;
  const detail = declared.token.slice(0, 60);
  if (declared.kind === "link-preview") out.push({ code: "ua-link-preview", weight: DECLARED_BOT_WEIGHT, detail });
  else if (declared.kind === "feed-reader") out.push({ code: "ua-feed-reader", weight: DECLARED_BOT_WEIGHT, detail });
  else out.push({ code: "ua-declared-bot", weight: DECLARED_BOT_WEIGHT, detail: `${declared.kind}:${detail}` });
  return out;
}
