/**
 * `npm run train:model [dataset.jsonl]`: trains escalation's bot model and writes models/edge-guard.onnx plus
 * models/edge-guard.json (version, features, weights, held-out metrics). Features come from core/features.ts,
 * the same code escalation runs, so training and serving cannot drift. The ONNX file is checked by running it
 * in onnxruntime-web before anything is written.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { z } from "zod";
import * as ort from "onnxruntime-web";
import { DecisionReportSchema } from "../core/report";
import { FEATURE_NAMES, extractFeatures } from "../core/features";
import { HUMAN_SCORE_MAX, rulesScore } from "../core/escalation-verdict";
import { SeededRandom } from "./seeded-random";
import { confusion, logLoss, predict, rocAuc, trainLogistic, type Confusion, type LinearModel } from "./logistic-regression";
import { exportLogisticOnnx } from "./onnx-export";

const DATASET_PATH = process.argv[2] ?? "models/seed-dataset.jsonl";
const MODEL_PATH = "models/edge-guard.onnx";
const CARD_PATH = "models/edge-guard.json";
const SPLIT_SEED = 7;
const TEST_SHARE = 0.2;
/** The block score the metrics are reported at; keep in step with BLOCK_SCORE in workers/escalation/wrangler.toml. */
const BLOCK_SCORE = Number(process.env.BLOCK_SCORE ?? "0.9");

const RowSchema = z.object({ label: z.union([z.literal(0), z.literal(1)]), kind: z.string(), report: DecisionReportSchema });
type Row = z.infer<typeof RowSchema> & { readonly x: number[] };

function load(path: string): Row[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, i) => {
      const parsed = RowSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${path}:${i + 1}: ${z.prettifyError(parsed.error)}`);
      return { ...parsed.data, x: extractFeatures(parsed.data.report) };
    });
}

interface Evaluation {
  readonly rocAuc: number;
  readonly logLoss: number;
  readonly atHalf: Confusion;
  readonly atBlockScore: Confusion;
  /** Share of humans below HUMAN_SCORE_MAX (verdict `human`), and of bots at or above the block score. */
  readonly humanVerdictRate: number;
}

function evaluate(scores: readonly number[], labels: readonly number[]): Evaluation {
  const humans = labels.filter((l) => l === 0).length;
  return {
    rocAuc: rocAuc(scores, labels),
    logLoss: logLoss(scores, labels),
    atHalf: confusion(scores, labels, 0.5),
    atBlockScore: confusion(scores, labels, BLOCK_SCORE),
    humanVerdictRate: scores.filter((s, i) => labels[i] === 0 && s < HUMAN_SCORE_MAX).length / (humans || 1),
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
function printEvaluation(title: string, e: Evaluation): void {
  console.log(`\n${title}: ROC AUC ${e.rocAuc.toFixed(4)}, log loss ${e.logLoss.toFixed(4)}, humans called human ${pct(e.humanVerdictRate)}`);
  for (const c of [e.atHalf, e.atBlockScore]) {
    console.log(`  threshold ${c.threshold}: precision ${pct(c.precision)}, recall ${pct(c.recall)}, false-positive rate ${pct(c.falsePositiveRate)}`);
    console.log(`    confusion     pred bot  pred human\n    actual bot    ${String(c.tp).padStart(8)}  ${String(c.fn).padStart(10)}\n    actual human  ${String(c.fp).padStart(8)}  ${String(c.tn).padStart(10)}`);
  }
}

function printPerKind(rows: readonly Row[], scores: readonly number[]): void {
  const kinds = [...new Set(rows.map((r) => r.kind))].sort();
  console.log(`\nheld-out, by synthetic profile (share at or above ${BLOCK_SCORE}):`);
  for (const kind of kinds) {
    const idx = rows.flatMap((r, i) => (r.kind === kind ? [i] : []));
    const flagged = idx.filter((i) => (scores[i] ?? 0) >= BLOCK_SCORE).length;
    console.log(`  ${kind.padEnd(22)} n=${String(idx.length).padStart(4)}  blocked ${pct(flagged / (idx.length || 1))}`);
  }
}

/** Runs the exported bytes in onnxruntime-web and returns the largest gap to the TypeScript predictions. */
async function checkOnnx(bytes: Uint8Array, model: LinearModel, x: readonly number[][]): Promise<number> {
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes);
  const input = new ort.Tensor("float32", Float32Array.from(x.flat()), [x.length, FEATURE_NAMES.length]);
  const output = (await session.run({ features: input }))["score"];
  if (output === undefined || !(output.data instanceof Float32Array)) throw new Error("model has no float output 'score'");
  const data = output.data;
  await session.release();
  return x.reduce((gap, row, i) => Math.max(gap, Math.abs((data[i] ?? NaN) - predict(model, row))), 0);
}

async function main(): Promise<void> {
  const rows = new SeededRandom(SPLIT_SEED).shuffle(load(DATASET_PATH));
  const cut = Math.round(rows.length * (1 - TEST_SHARE));
  const [train, test] = [rows.slice(0, cut), rows.slice(cut)];
  console.log(`${DATASET_PATH}: ${rows.length} rows, ${train.length} train / ${test.length} held out, ${FEATURE_NAMES.length} features`);

  const model = trainLogistic(train.map((r) => r.x), train.map((r) => r.label));
  console.log("\nweights (raw feature units):");
  FEATURE_NAMES.forEach((name, j) => console.log(`  ${name.padEnd(26)} ${(model.weights[j] ?? 0).toFixed(4)}`));
  console.log(`  ${"(bias)".padEnd(26)} ${model.bias.toFixed(4)}`);

  const labels = test.map((r) => r.label);
  const modelScores = test.map((r) => predict(model, r.x));
  const model_ = evaluate(modelScores, labels);
  const rules = evaluate(test.map((r) => rulesScore(r.x)), labels);
  printEvaluation("held-out, model", model_);
  printEvaluation("held-out, rules-only fallback (for comparison)", rules);
  printPerKind(test, modelScores);

  const round = (v: number): number => Number(Math.fround(v).toPrecision(9));
  const rounded: LinearModel = { weights: model.weights.map(round), bias: round(model.bias) };
  const version = `lr-${createHash("sha256").update(JSON.stringify([FEATURE_NAMES, rounded])).digest("hex").slice(0, 10)}`;
  const bytes = exportLogisticOnnx(rounded, {
    version,
    featureNames: FEATURE_NAMES,
    docString: "edge-guard escalation: P(bot) from one DecisionReport's features (logistic regression).",
    extra: { "edge_guard.dataset": DATASET_PATH, "edge_guard.block_score": String(BLOCK_SCORE) },
  });
  const gap = await checkOnnx(bytes, rounded, test.map((r) => r.x));
  console.log(`\nonnxruntime-web vs TypeScript on the held-out rows: max |Δ| = ${gap.toExponential(2)}`);
  if (!(gap < 1e-4)) throw new Error("the exported ONNX model disagrees with the trained one");

  mkdirSync("models", { recursive: true });
  writeFileSync(MODEL_PATH, bytes);
  const card = {
    version,
    kind: "logistic-regression (MatMul + Add + Sigmoid), input 'features' float [N, F], output 'score' float [N, 1]",
    trainedAt: new Date().toISOString(),
    features: FEATURE_NAMES,
    weights: Object.fromEntries(FEATURE_NAMES.map((name, j) => [name, rounded.weights[j]])),
    bias: rounded.bias,
    dataset: {
      path: DATASET_PATH,
      rows: rows.length,
      train: train.length,
      heldOut: test.length,
      note: "Seed data: real User-Agent strings (npm user-agents, crawler-user-agents) with SYNTHETIC behaviour (headers, rates, tarpit hits, networks, edge reasons) from scripts/make-seed-dataset.ts. Metrics on it show the pipeline works, not how the model does on real traffic: retrain on labelled rows of the decisions table.",
    },
    metrics: { blockScore: BLOCK_SCORE, model: model_, rulesOnly: rules },
  };
  writeFileSync(CARD_PATH, JSON.stringify(card, null, 2) + "\n");
  console.log(`wrote ${MODEL_PATH} (${bytes.length} bytes, version ${version}) and ${CARD_PATH}`);
}

await main();
