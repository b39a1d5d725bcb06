import { RULES } from "../../rules/index.generated";
import { isSignalCode, type ReasonCode, type RuleCode } from "../signals/registry";
import type { PluginRule } from "./plugin";

/**
 * The operator's plugin rules (rules/*.ts, bundled through the generated rules/index.generated.ts). Their codes
 * `rule:<name>` are reason codes like the registry's signals: listed by GET /api/signals, usable in a policy's
 * `signalWeights` and `signal` conditions.
 */
export const PLUGIN_RULES: readonly PluginRule[] = checkedRules(RULES);

const BY_CODE: ReadonlyMap<string, PluginRule> = new Map(PLUGIN_RULES.map((rule) => [rule.code, rule]));

/** True for `rule:<name>` of a bundled plugin rule. */
export function isPluginRuleCode(code: string): code is RuleCode {
  return BY_CODE.has(code);
}

/** A code a policy may name: a computed signal or a plugin rule's. */
export function isReasonCode(code: string): code is ReasonCode {
  return isSignalCode(code) || isPluginRuleCode(code);
}

/** Two rules of one name would share a code: refused when the bundle loads (the rules' tests load it too). */
export function checkedRules(rules: readonly PluginRule[]): readonly PluginRule[] {
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.name)) throw new Error(`two plugin rules are named ${rule.name}: rename one (rules/)`);
    seen.add(rule.name);
  }
  return rules;
}
