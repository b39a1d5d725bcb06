import type { RequestFacts } from "../request-facts";
import type { Action, Reason, Verdict } from "../verdict";
import type { CompiledPolicy } from "./compile";

/** The verdict plus which rule (if any) decided it outright. */
export interface PolicyVerdict extends Verdict {
  readonly decidedBy: string | null;
}

const TERMINAL: Readonly<Record<string, Action>> = { allow: "allow", deny: "block", challenge: "challenge", tarpit: "tarpit" };

/**
 * Applies a policy to one request and its computed signals. The first matching allow/deny/challenge/tarpit
 * rule decides; otherwise the summed weights of signals and `weigh` rules meet the thresholds.
 */
export function evaluatePolicy(policy: CompiledPolicy, facts: RequestFacts, signals: readonly Reason[]): PolicyVerdict {
  const reasons: Reason[] = signals.map((s) => {
    const weight = policy.signalWeights[s.code];
    return weight === undefined ? s : { ...s, weight };
  });
  const codes = new Set(reasons.map((r) => r.code));
  let decidedBy: string | null = null;
  let decided: Action | null = null;
  for (const rule of policy.rules) {
    if (!rule.test(facts, codes)) continue;
    if (rule.action === "weigh") {
      reasons.push({ code: `rule:${rule.name}`, weight: rule.weight });
    } else if (decided === null) {
      decided = TERMINAL[rule.action] ?? null;
      decidedBy = rule.name;
      reasons.push({ code: `rule:${rule.name}`, weight: 0, detail: rule.action });
    }
  }
  const score = reasons.reduce((sum, r) => sum + r.weight, 0);
  return { action: decided ?? actionFor(score, policy), score, reasons, decidedBy };
}

function actionFor(score: number, policy: CompiledPolicy): Action {
  const t = policy.thresholds;
  if (score >= t.block) return "block";
  if (score >= t.tarpit) return "tarpit";
  if (score >= t.challenge) return "challenge";
  return "allow";
}
