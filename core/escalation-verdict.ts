import type { BlocklistEntry } from "./blocklist-entry";
import { parseIp, type ClientIp } from "./client-ip";
import { FEATURE_NAMES, reportSignals, type FeatureName } from "./features";
import type { LlmAnswer } from "./llm/answer";
import type { DecisionReport } from "./report";
import { CONTEXT_SIGNALS, TRAP_SIGNALS, type SignalCode } from "./signals/registry";

/** Escalation's opinion of a client after one report. Only `bot` blocklists; `good-bot` is a verified crawler. */
export type EscalationVerdict = "bot" | "unsure" | "human" | "good-bot";

/** Scores below this are `human`; between it and the block score, `unsure`. */
export const HUMAN_SCORE_MAX = 0.2;

/** Tarpit answers in 10 minutes past which the rules alone call a client a bot: no person follows a maze that far. */
export const RULES_TARPIT_HITS_FOR_BOT = 20;

/** Where a score came from: the ONNX model, or the fallback rules when no model is loaded. */
export type ScoreSource = "model" | "rules";

/** Edge signal code of a crawler whose IP matched its operator's published ranges. */
export const VERIFIED_CRAWLER_SIGNAL: SignalCode = "verified-crawler";

/** The verdict for a score in [0, 1], given the configured block score. */
export function verdictFor(score: number, blockScore: number): EscalationVerdict {
  if (score >= blockScore) return "bot";
  return score < HUMAN_SCORE_MAX ? "human" : "unsure";
}

/**
 * A wanted bot: a crawler the edge verified, or a report labelled `good-bot`. Escalation never blocklists one and
 * never asks an LLM about one: its IP belongs to a search engine, and the edge's policy decides what it may read.
 */
export function isGoodBot(report: Pick<DecisionReport, "reasons" | "signals" | "label">): boolean {
  return report.label?.value === "good-bot" || reportSignals(report).has(VERIFIED_CRAWLER_SIGNAL);
}

/**
 * The verdict after everything escalation knows: the score's verdict, overridden for good bots, and by an LLM
 * answer only when it is confident (`minConfidence`) and says `bot` or `human`.
 */
export function finalVerdict(
  report: Pick<DecisionReport, "reasons" | "signals" | "label">,
  score: number,
  blockScore: number,
  llm: LlmAnswer | null,
  minConfidence: number,
): EscalationVerdict {
  if (isGoodBot(report)) return "good-bot";
  // Ground truth beats any score: whoever just solved a challenge is a person.
  if (report.label?.value === "human") return "human";
  const verdict = llm === null || llm.verdict === "unsure" || llm.confidence < minConfidence ? verdictFor(score, blockScore) : llm.verdict;
  // Never block on a score alone, nor on the trap or the request's context alone: a request without other evidence is "unsure" at most.
  return verdict === "bot" && !hasBlockEvidence(report) ? "unsure" : verdict;
}

/**
 * Whether a report carries what a block needs beyond a score: a positive-weight reason or a bot label the edge (or
 * tarpit) observed. The trap alone is not enough: a honeypot label, a request into the labyrinth and what follows
 * from them keep a client in the labyrinth, never blocked, until some other bot reason (or a hop-out) shows up.
 */
export function hasBlockEvidence(report: Pick<DecisionReport, "reasons" | "label">): boolean {
  const reason = report.reasons.some((r) => r.weight > 0 && !TRAP_SIGNALS.has(r.code) && !CONTEXT_SIGNALS.has(r.code));
  const label = report.label?.value === "bot" && report.label.kind !== "honeypot";
  return reason || label;
}

/**
 * A score in [0, 1] from rules alone, for when the model is missing or broken. Deliberately conservative: only a
 * declared AI crawler or a deep tarpit visitor reaches bot level; otherwise the edge's own rule score, scaled.
 */
export function rulesScore(features: readonly number[]): number {
  const value = (name: FeatureName): number => features[FEATURE_NAMES.indexOf(name)] ?? 0;
  if (value("ua_ai_crawler") === 1) return 0.99;
  if (Math.expm1(value("log1p_tarpit_hits")) >= RULES_TARPIT_HITS_FOR_BOT) return 0.95;
  return Math.min(value("edge_score"), 0.85);
}

/** Edge reason code meaning the IP was already blocklisted when the request arrived. */
export const BLOCKLISTED_REASON: SignalCode = "blocklist-ip";

/**
 * The address to blocklist for a `bot` verdict, or null: not when the IP was already blocked when the request came
 * (its entry still stands; rewriting it on every blocked request would hammer KV), nor for an unknown address.
 */
export function ipToBlock(verdict: EscalationVerdict, report: DecisionReport): ClientIp | null {
  if (verdict !== "bot" || report.reasons.some((r) => r.code === BLOCKLISTED_REASON)) return null;
  const ip = parseIp(report.ip);
  return ip === null || /^[0:.]+$/.test(ip) ? null : ip;
}

/** What decided a `bot` verdict, for the blocklist entry's reason. */
export interface BlockCause {
  readonly score: number;
  readonly source: ScoreSource;
  readonly version: string | null;
  /** Set when a confident LLM answer turned the verdict to `bot`. */
  readonly llm?: { readonly model: string; readonly confidence: number };
}

/** The blocklist entry escalation writes for a `bot` verdict (KV key `blocklistKey(ip)`, lifetime `expirationTtl`). */
export function escalationBlock(cause: BlockCause, at: number): BlocklistEntry {
  const scored =
    cause.source === "model"
      ? `model ${cause.version ?? "unknown"} scored ${cause.score.toFixed(3)}`
      : `rules scored ${cause.score.toFixed(3)}`;
  const reason = cause.llm === undefined ? scored : `${scored}; LLM ${cause.llm.model} said bot (${cause.llm.confidence.toFixed(2)})`;
  return { action: "block", reason: reason.slice(0, 200), source: "escalation", score: cause.score, at };
}
