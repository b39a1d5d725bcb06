/** Held-out metrics of a bot score, and how train-model and eval:model print them. */
import * as ort from "onnxruntime-web";
import { HUMAN_SCORE_MAX, finalVerdict } from "../../core/escalation-verdict";
import { FEATURE_NAMES } from "../../core/features";
import type { DecisionReport } from "../../core/report";
import { confusion, logLoss, rocAuc, type Confusion } from "./logistic-regression";

/** The block score the metrics are reported at (env BLOCK_SCORE); keep in step with BLOCK_SCORE in workers/escalation/wrangler.toml. */
export const BLOCK_SCORE = Number(process.env.BLOCK_SCORE ?? "0.9");

/**
 * An ONNX model's scores for feature rows, run by onnxruntime-web (the runtime escalation uses, here its Node build on
 * one thread): input `features` float [N, F], output `score`.
 */
export async function onnxScores(bytes: Uint8Array, x: readonly (readonly number[])[]): Promise<number[]> {
  if (x.length === 0) return [];
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes);
  try {
    const input = new ort.Tensor("float32", Float32Array.from(x.flat()), [x.length, FEATURE_NAMES.length]);
    const output = (await session.run({ features: input }))["score"];
    if (output === undefined || !(output.data instanceof Float32Array)) throw new Error("model has no float output 'score'");
    return Array.from(output.data);
  } finally {
    await session.release();
  }
}

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

/** Wilson score interval of a proportion k/n at ~95 % (z = 1.96): [low, high]; [0, 1] when n = 0. */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Which rows a score puts at or above `threshold`. */
export function atOrAbove(scores: readonly number[], threshold: number): boolean[] {
  return scores.map((s) => s >= threshold);
}

/**
 * Which rows escalation would block with these scores: `finalVerdict` without an LLM, so the block-evidence gate (a
 * score alone, the trap or the request's context never block) and the report's labels (a solved challenge is a
 * person, a verified crawler a good bot) apply as they do in the Worker. The score is what the card and the
 * recommendations read; this is what a client would feel.
 */
export function pipelineBlocked(
  reports: readonly Pick<DecisionReport, "reasons" | "signals" | "label">[],
  scores: readonly number[],
  blockScore: number,
): boolean[] {
  return reports.map((report, i) => finalVerdict(report, scores[i] ?? 0, blockScore, null, 1) === "bot");
}

/** One kind's result at the block score: bots by recall (and precision against all people in the set), people by false positives. */
export interface KindResult {
  readonly kind: string;
  readonly label: 0 | 1;
  readonly rows: number;
  /** Rows blocked (at or above the block score, or blocked by the pipeline: see `atOrAbove`, `pipelineBlocked`). */
  readonly flagged: number;
  /** Bots: flagged / rows. People: null. */
  readonly recall: number | null;
  /** Bots: flagged / (flagged + people flagged in the whole set). People: null. */
  readonly precision: number | null;
  /** People: flagged / rows, with its Wilson interval. Bots: null. */
  readonly falsePositiveRate: number | null;
  readonly falsePositiveCi: [number, number] | null;
}

/** Per-kind results over one evaluation set, given which rows were blocked (`atOrAbove` or `pipelineBlocked`). */
export function perKind(kinds: readonly string[], labels: readonly number[], blocked: readonly boolean[]): KindResult[] {
  const peopleFlagged = blocked.filter((b, i) => labels[i] === 0 && b).length;
  return [...new Set(kinds)].sort().map((kind) => {
    const idx = kinds.flatMap((k, i) => (k === kind ? [i] : []));
    const label = labels[idx[0] ?? 0] === 1 ? 1 : 0;
    const flagged = idx.filter((i) => blocked[i] === true).length;
    const rows = idx.length;
    return label === 1
      ? {
          kind,
          label,
          rows,
          flagged,
          recall: flagged / (rows || 1),
          precision: flagged / (flagged + peopleFlagged || 1),
          falsePositiveRate: null,
          falsePositiveCi: null,
        }
      : {
          kind,
          label,
          rows,
          flagged,
          recall: null,
          precision: null,
          falsePositiveRate: flagged / (rows || 1),
          falsePositiveCi: wilson(flagged, rows),
        };
  });
}

/** One kind's result in a table cell: bots by recall and precision, people by false-positive rate with its interval. */
export function kindCell(r: KindResult): string {
  return r.label === 1
    ? `recall ${pct(r.recall ?? 0)} precision ${pct(r.precision ?? 0)}`
    : `FPR ${pct(r.falsePositiveRate ?? 0)} [${pct(r.falsePositiveCi?.[0] ?? 0)}, ${pct(r.falsePositiveCi?.[1] ?? 1)}]`;
}

/** Prints per-kind results of several models side by side. */
export function printKindTable(title: string, columns: ReadonlyArray<readonly [string, readonly KindResult[]]>): void {
  console.log(`\n${title}`);
  console.log(`  ${"kind".padEnd(26)} ${"rows".padStart(5)}  ${columns.map(([name]) => name.padEnd(34)).join(" ")}`);
  const kinds = columns[0]?.[1] ?? [];
  for (const [i, k] of kinds.entries()) {
    const cells = columns.map(([, results]) => {
      const r = results[i];
      return (r === undefined ? "" : kindCell(r)).padEnd(34);
    });
    console.log(`  ${k.kind.padEnd(26)} ${String(k.rows).padStart(5)}  ${cells.join(" ")}`);
  }
}
