import { aiCrawlerToken } from "./crawlers";
import type { ClientState, RequestFacts } from "./request-facts";
import { isTrapPath } from "./trap-paths";
import type { Action, Reason, Verdict } from "./verdict";

/** Score thresholds and limits of the first rule set. */
export interface RuleLimits {
  /** Requests per minute from one IP above which the client is a burst. */
  readonly burstPerMinute: number;
  readonly tarpitScore: number;
  readonly blockScore: number;
}

// In this first rule set only the blocklist reaches the block score: trap signals add up to more tarpit, not a block.
export const DEFAULT_LIMITS: RuleLimits = { burstPerMinute: 120, tarpitScore: 50, blockScore: 1000 };

/** Paths every client may fetch, so crawlers can read the rules and feeds keep working. */
const ALWAYS_ALLOWED_RE = /^\/(?:robots\.txt|sitemap\.xml|favicon\.ico|\.well-known\/.*)$/;

/** Scores one request with the first, simple rule set. Pure: history and store lookups come in as `state`. */
export function decide(facts: RequestFacts, state: ClientState, limits: RuleLimits = DEFAULT_LIMITS): Verdict {
  const reasons: Reason[] = [];
  if (state.blocklisted) reasons.push({ code: "blocklist-ip", weight: limits.blockScore });
  if (reasons.length === 0 && ALWAYS_ALLOWED_RE.test(facts.path)) return { action: "allow", score: 0, reasons: [] };
  const crawler = aiCrawlerToken(facts.userAgent);
  if (crawler !== null) reasons.push({ code: "ua-ai-crawler", weight: limits.tarpitScore, detail: crawler });
  if (isTrapPath(facts.path)) reasons.push({ code: "trap-path", weight: limits.tarpitScore });
  if (state.counts !== null && state.counts.hits1m > limits.burstPerMinute) {
    reasons.push({ code: "burst", weight: limits.tarpitScore, detail: `${state.counts.hits1m}/min` });
  }
  const score = reasons.reduce((sum, r) => sum + r.weight, 0);
  return { action: actionFor(score, limits), score, reasons };
}

function actionFor(score: number, limits: RuleLimits): Action {
  if (score >= limits.blockScore) return "block";
  if (score >= limits.tarpitScore) return "tarpit";
  return "allow";
}
