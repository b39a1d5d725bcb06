import { parseIp, type ClientIp } from "./client-ip";
import { FEATURE_NAMES, type FeatureName } from "./features";
import type { DecisionReport } from "./report";

/** Escalation's opinion of a client after one report. Only `bot` blocklists. */
export type EscalationVerdict = "bot" | "unsure" | "human";

/** Scores below this are `human`; between it and the block score, `unsure`. */
export const HUMAN_SCORE_MAX = 0.2;

/** Tarpit answers in 10 minutes past which the rules alone call a client a bot: no person follows a maze that far. */
export const RULES_TARPIT_HITS_FOR_BOT = 20;

/** Where a score came from: the ONNX model, or the fallback rules when no model is loaded. */
export type ScoreSource = "model" | "rules";

/** The verdict for a score in [0, 1], given the configured block score. */
export function verdictFor(score: number, blockScore: number): EscalationVerdict {
  if (score >= blockScore) return "bot";
  return score < HUMAN_SCORE_MAX ? "human" : "unsure";
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
export const BLOCKLISTED_REASON = "blocklist-ip";

/**
 * The address to blocklist for a `bot` verdict, or null: not when the IP was already blocked when the request came
 * (its entry still stands; rewriting it on every blocked request would hammer KV), nor for an unknown address.
 */
export function ipToBlock(verdict: EscalationVerdict, report: DecisionReport): ClientIp | null {
  if (verdict !== "bot" || report.reasons.some((r) => r.code === BLOCKLISTED_REASON)) return null;
  const ip = parseIp(report.ip);
  return ip === null || /^[0:.]+$/.test(ip) ? null : ip;
}

/** Who put an IP on the blocklist. */
export type BlocklistSource = "escalation" | "admin" | "edge";

/** The JSON value of a KV blocklist entry (key: `blocklistKey(ip)`, lifetime: `expirationTtl`). */
export interface BlocklistEntry {
  readonly reason: string;
  readonly source: BlocklistSource;
  /** The score that caused the block, in [0, 1], when one did. */
  readonly score?: number;
  /** When the entry was written, epoch ms. */
  readonly at: number;
}

/** The blocklist entry escalation writes for a `bot` verdict. */
export function escalationBlock(score: number, source: ScoreSource, version: string | null, at: number): BlocklistEntry {
  const reason = source === "model" ? `model ${version ?? "unknown"} scored ${score.toFixed(3)}` : `rules scored ${score.toFixed(3)}`;
  return { reason, source: "escalation", score, at };
}
