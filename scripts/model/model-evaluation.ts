/** Held-out metrics of a bot score, and how train-model prints them. */
import { HUMAN_SCORE_MAX } from "../../core/escalation-verdict";
import { confusion, logLoss, rocAuc, type Confusion } from "./logistic-regression";

/** A score's quality on labelled rows. */
export interface Evaluation {
  readonly rows: number;
  readonly rocAuc: number;
  readonly logLoss: number;
  readonly atHalf: Confusion;
  readonly atBlockScore: Confusion;
  /** Share of humans below HUMAN_SCORE_MAX (verdict `human`). */
  readonly humanVerdictRate: number;
}

/** Evaluates scores against labels (1 = bot) at 0.5 and at the block score. */
export function evaluate(scores: readonly number[], labels: readonly number[], blockScore: number): Evaluation {
  const humans = labels.filter((l) => l === 0).length;
  return {
    rows: scores.length,
    rocAuc: rocAuc(scores, labels),
    logLoss: logLoss(scores, labels),
    atHalf: confusion(scores, labels, 0.5),
    atBlockScore: confusion(scores, labels, blockScore),
    humanVerdictRate: scores.filter((s, i) => labels[i] === 0 && s < HUMAN_SCORE_MAX).length / (humans || 1),
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** Prints ROC AUC, log loss, and precision, recall and the confusion matrix at both thresholds. */
export function printEvaluation(title: string, e: Evaluation): void {
  console.log(
    `\n${title} (${e.rows} rows): ROC AUC ${e.rocAuc.toFixed(4)}, log loss ${e.logLoss.toFixed(4)}, humans called human ${pct(e.humanVerdictRate)}`,
  );
  for (const c of [e.atHalf, e.atBlockScore]) {
    console.log(
      `  threshold ${c.threshold}: precision ${pct(c.precision)}, recall ${pct(c.recall)}, false-positive rate ${pct(c.falsePositiveRate)}`,
    );
    console.log(
      `    confusion     pred bot  pred human\n    actual bot    ${String(c.tp).padStart(8)}  ${String(c.fn).padStart(10)}\n    actual human  ${String(c.fp).padStart(8)}  ${String(c.tn).padStart(10)}`,
    );
  }
}

/** Per kind (seed profile or label source): rows, and the share at or above the block score. */
export function printPerKind(kinds: readonly string[], scores: readonly number[], blockScore: number): void {
  console.log(`\nheld-out, by kind (share at or above ${blockScore}):`);
  for (const kind of [...new Set(kinds)].sort()) {
    const idx = kinds.flatMap((k, i) => (k === kind ? [i] : []));
    const flagged = idx.filter((i) => (scores[i] ?? 0) >= blockScore).length;
    console.log(`  ${kind.padEnd(24)} n=${String(idx.length).padStart(4)}  blocked ${pct(flagged / (idx.length || 1))}`);
  }
}
