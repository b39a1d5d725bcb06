import type { ClientIp } from "../client-ip";
import type { CompiledPolicy } from "../policy/compile";
import { evaluatePolicy } from "../policy/evaluate";
import type { CfFacts, ReportedReason } from "../report";
import type { RequestFacts } from "../request-facts";
import { isReasonCode } from "../rules/registry";
import type { Action, Reason } from "../verdict";

/** A stored decision, as much of it as a policy needs: the request's facts and the signals the edge computed. */
export interface StoredDecision {
  readonly id: number;
  readonly at: number;
  readonly ip: string;
  readonly method: string;
  readonly path: string;
  readonly userAgent: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly cf: CfFacts;
  /** The reasons stored with the decision: signals plus the `rule:*` entries of the policy then in force. */
  readonly reasons: readonly ReportedReason[];
  /** What the edge did at the time. */
  readonly recordedAction: string;
}

/** Counts of decisions by action. */
export type ActionCounts = Record<Action, number>;

/** One decision whose action the candidate policy changes. */
export interface ChangedDecision {
  readonly id: number;
  readonly at: number;
  readonly ip: string;
  readonly path: string;
  readonly userAgent: string;
  readonly before: Action;
  readonly after: Action;
  readonly scoreBefore: number;
  readonly scoreAfter: number;
  readonly decidedByAfter: string | null;
}

/** What a candidate policy would have done to stored decisions, next to what the current policy does to them. */
export interface DryRunResult {
  readonly evaluated: number;
  readonly before: ActionCounts;
  readonly after: ActionCounts;
  readonly changed: number;
  /** Transitions such as `tarpit->allow`, counted. */
  readonly transitions: Readonly<Record<string, number>>;
  readonly samples: readonly ChangedDecision[];
}

const ZERO: ActionCounts = { allow: 0, challenge: 0, tarpit: 0, block: 0 };

/**
 * The signals a stored decision carried: its reasons minus the `rule:*` entries the policy of the day added,
 * which each policy re-derives, and minus codes this version no longer computes (plugin rules' `rule:*` codes are
 * computed signals: kept; a policy rule cannot share a plugin rule's name). Weights are as stored (after
 * that day's `signalWeights`); a new override applies again.
 */
export function storedSignals(reasons: readonly ReportedReason[]): Reason[] {
  const out: Reason[] = [];
  for (const r of reasons) if (isReasonCode(r.code)) out.push({ ...r, code: r.code });
  return out;
}

/** The request facts a stored decision keeps, as a policy reads them. */
export function factsOf(d: StoredDecision): RequestFacts {
  return { ip: d.ip as ClientIp, method: d.method, path: d.path, userAgent: d.userAgent, headers: d.headers, cf: d.cf, receivedAt: d.at };
}

/**
 * Re-evaluates stored decisions with the current and the candidate policy and diffs the actions. Behaviour
 * counters are replayed from the stored signals (a request's burst signal stays as it was), so the diff shows
 * what the rules, weights and thresholds change, not what different timing would have done.
 */
export function dryRunPolicy(
  current: CompiledPolicy,
  candidate: CompiledPolicy,
  decisions: readonly StoredDecision[],
  maxSamples = 20,
): DryRunResult {
  const before: ActionCounts = { ...ZERO };
  const after: ActionCounts = { ...ZERO };
  const transitions: Record<string, number> = {};
  const samples: ChangedDecision[] = [];
  let changed = 0;
  for (const d of decisions) {
    const facts = factsOf(d);
    const signals = storedSignals(d.reasons);
    const a = evaluatePolicy(current, facts, signals);
    const b = evaluatePolicy(candidate, facts, signals);
    before[a.action] += 1;
    after[b.action] += 1;
    if (a.action === b.action) continue;
    changed += 1;
    const key = `${a.action}->${b.action}`;
    transitions[key] = (transitions[key] ?? 0) + 1;
    if (samples.length < maxSamples) {
      samples.push({
        id: d.id,
        at: d.at,
        ip: d.ip,
        path: d.path,
        userAgent: d.userAgent,
        before: a.action,
        after: b.action,
        scoreBefore: a.score,
        scoreAfter: b.score,
        decidedByAfter: b.decidedBy,
      });
    }
  }
  return { evaluated: decisions.length, before, after, changed, transitions, samples };
}
