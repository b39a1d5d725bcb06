/** A labelling event: the edge, tarpit or challenge page labelled a decision, or an operator labelled one (or an IP). */
export interface LabelAnchor {
  readonly ip: string;
  /** Epoch ms of the labelled decision, or of the operator's IP label. */
  readonly at: number;
  readonly value: string;
  readonly source: "edge" | "operator";
}

/**
 * How far before a labelling event the same IP's decisions take its label, ms: the requests a honeypot-labelled
 * bot made before it took the bait are the ones a policy let through. Same window as training
 * (scripts/model/labelled-rows.ts LABEL_LOOKBACK_MS).
 */
export const SAMPLE_LABEL_LOOKBACK_MS = 30 * 60_000;

/**
 * The label of one decision of `ip` at `at` (epoch ms) from the anchors around it: an operator's word overrides the
 * edge's, contradicting labels of one source give none, and a good bot (a verified crawler) is no sample: policy
 * lets it through by rule, not by threshold.
 */
export function sampleLabel(ip: string, at: number, anchors: readonly LabelAnchor[]): "human" | "bot" | null {
  const votes = { edge: new Set<string>(), operator: new Set<string>() };
  for (const a of anchors) if (a.ip === ip && at <= a.at && at >= a.at - SAMPLE_LABEL_LOOKBACK_MS) votes[a.source].add(a.value);
  const values = votes.operator.size > 0 ? votes.operator : votes.edge;
  if (values.size !== 1) return null;
  const [value] = values;
  return value === "human" || value === "bot" ? value : null;
}
