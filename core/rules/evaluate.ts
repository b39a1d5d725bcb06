import type { RequestFacts } from "../request-facts";
import type { Reason } from "../verdict";
import type { PluginRule } from "./plugin";

/** Most reasons one rule adds to one request (a rule returning a long list cannot flood the report). */
export const MAX_HITS_PER_RULE = 5;
const MAX_DETAIL = 100;

/** A rule that threw (or returned something that is not a list of hits), and what it threw. */
export interface RuleFailure {
  readonly name: string;
  readonly error: unknown;
}

/** What the plugin rules said about one request. */
export interface RuleOutcome {
  readonly reasons: Reason[];
  readonly failed: RuleFailure[];
}

/**
 * Runs every plugin rule on one request, each on its own: a rule that throws or answers nonsense adds nothing and is
 * named in `failed` (the edge counts it as a `rule` fault and decides without it: fail open), the others still count.
 */
export function evaluateRules(rules: readonly PluginRule[], facts: RequestFacts): RuleOutcome {
  const reasons: Reason[] = [];
  const failed: RuleFailure[] = [];
  for (const rule of rules) {
    try {
      const hits = rule.evaluate(facts);
      if (hits === null) continue;
      if (!Array.isArray(hits)) throw new TypeError(`rule ${rule.name} returned ${typeof hits}, not a list of hits or null`);
      for (const hit of hits.slice(0, MAX_HITS_PER_RULE)) {
        const detail: unknown = (hit as { detail?: unknown } | null)?.detail;
        reasons.push(
          typeof detail === "string"
            ? { code: rule.code, weight: rule.weight, detail: detail.slice(0, MAX_DETAIL) }
            : { code: rule.code, weight: rule.weight },
        );
      }
    } catch (error) {
      failed.push({ name: rule.name, error });
    }
  }
  return { reasons, failed };
}
