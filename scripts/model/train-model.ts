/**
 * `npm run train:model [-- [seed.jsonl] [--from-db] [--no-seed] [--out DIR]]`: trains escalation's bot model and
 * writes DIR/edge-guard.onnx plus DIR/edge-guard.json (version, date, features, weights, path model, held-out
 * metrics). DIR defaults to models/.
 *
 * Data: the bundled seed dataset (models/seed-dataset.jsonl) and, with --from-db, labelled reports from Postgres
 * (scripts/model/labelled-rows.ts says which labels count; never escalation's own scores). Steps: split by client (20 %
 * held out), train the human path model (core/path-sequence.ts) on the training split's human sequences, extract
 * features with core/features.ts (the code escalation runs), fit a logistic regression, evaluate on the held-out
 * split, export ONNX (the path model rides in its metadata), check the file in onnxruntime-web, write.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as ort from "onnxruntime-web";
import { rulesScore } from "../../core/escalation-verdict";
import { FEATURE_NAMES, MODEL_METADATA_KEYS, extractFeatures } from "../../core/features";
import { compilePathModel, pathShape, trainPathModel, type PathModel } from "../../core/path-sequence";
import type { LabelStats } from "./labelled-rows";
import { predict, trainLogistic, type LinearModel } from "./logistic-regression";
import { evaluate, printEvaluation, printPerKind } from "./model-evaluation";
import { exportLogisticOnnx } from "./onnx-export";
import { readLabelledRows, withTrainingDb } from "./training-db";
import { loadSeedRows, splitByGroup, type TrainingRow } from "./training-data";

const SEED_PATH = "models/seed-dataset.jsonl";
const SPLIT_SEED = 7;
const TEST_SHARE = 0.2;
/** The block score the metrics are reported at; keep in step with BLOCK_SCORE in workers/escalation/wrangler.toml. */
const BLOCK_SCORE = Number(process.env.BLOCK_SCORE ?? "0.9");
const log = (line: string): void => console.log(`[train-model] ${line}`);

interface Sources {
  readonly rows: TrainingRow[];
  readonly seedRows: number;
  readonly dbRows: number;
  readonly labels: LabelStats | null;
}

async function gather(seedPath: string, fromDb: boolean, noSeed: boolean): Promise<Sources> {
  const seed = noSeed ? [] : loadSeedRows(seedPath);
  if (!fromDb) return { rows: seed, seedRows: seed.length, dbRows: 0, labels: null };
  const { rows, stats } = await withTrainingDb(log, readLabelledRows);
  log(
    `Postgres: ${stats.anchors} labelling events → ${stats.rows} rows (${stats.conflicts} with conflicting labels dropped, ${stats.goodBots} good-bot rows set aside, ${stats.withoutReport} without a stored report)`,
  );
  if (rows.length === 0)
    log(
      noSeed
        ? "no labelled rows in Postgres and --no-seed: nothing to train on"
        : "no labelled rows in Postgres yet: training on the seed dataset alone",
    );
  return { rows: [...seed, ...rows], seedRows: seed.length, dbRows: rows.length, labels: stats };
}

/** The client's shapes in time order: its history, then the report itself. */
const shapesOf = (row: TrainingRow): string[] => [...row.history.map((h) => pathShape(h.path)), pathShape(row.report.path)];

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
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      "from-db": { type: "boolean", default: false },
      "no-seed": { type: "boolean", default: false },
      out: { type: "string", default: "models" },
    },
  });
  const seedPath = positionals[0] ?? SEED_PATH;
  const sources = await gather(seedPath, values["from-db"], values["no-seed"]);
  const { train, test } = splitByGroup(sources.rows, TEST_SHARE, SPLIT_SEED);
  if (train.length === 0 || test.length === 0 || new Set(train.map((r) => r.label)).size < 2) {
    throw new Error(`not enough labelled data: ${train.length} training and ${test.length} held-out rows, needing both labels`);
  }
  log(
    `${sources.rows.length} rows (${sources.seedRows} seed, ${sources.dbRows} from Postgres): ${train.length} train / ${test.length} held out, ${FEATURE_NAMES.length} features`,
  );

  const pathModel: PathModel = trainPathModel(train.filter((r) => r.label === 0).map(shapesOf));
  const compiled = compilePathModel(pathModel);
  log(
    `path model ${pathModel.version}: ${pathModel.states.length} states from ${train.filter((r) => r.label === 0).length} human sequences`,
  );
  const features = (rows: readonly TrainingRow[]) => rows.map((r) => extractFeatures(r.report, r.history, compiled));
  const [xTrain, xTest] = [features(train), features(test)];

  const model = trainLogistic(
    xTrain,
    train.map((r) => r.label),
  );
  console.log("\nweights (raw feature units):");
  FEATURE_NAMES.forEach((name, j) => console.log(`  ${name.padEnd(26)} ${(model.weights[j] ?? 0).toFixed(4)}`));
  console.log(`  ${"(bias)".padEnd(26)} ${model.bias.toFixed(4)}`);

  const labels = test.map((r) => r.label);
  const scores = xTest.map((x) => predict(model, x));
  const modelEval = evaluate(scores, labels, BLOCK_SCORE);
  const rulesEval = evaluate(xTest.map(rulesScore), labels, BLOCK_SCORE);
  printEvaluation("held-out, model", modelEval);
  printEvaluation("held-out, rules-only fallback (for comparison)", rulesEval);
  printPerKind(
    test.map((r) => r.kind),
    scores,
    BLOCK_SCORE,
  );

  const round = (v: number): number => Number(Math.fround(v).toPrecision(9));
  const rounded: LinearModel = { weights: model.weights.map(round), bias: round(model.bias) };
  const version = `lr-${createHash("sha256")
    .update(JSON.stringify([FEATURE_NAMES, rounded, pathModel.version]))
    .digest("hex")
    .slice(0, 10)}`;
  const bytes = exportLogisticOnnx(rounded, {
    version,
    featureNames: FEATURE_NAMES,
    docString: "edge-guard escalation: P(bot) from one DecisionReport's features and its client's recent paths (logistic regression).",
    extra: {
      [MODEL_METADATA_KEYS.pathModel]: JSON.stringify(pathModel),
      "edge_guard.dataset": `${sources.seedRows} seed rows (${seedPath}), ${sources.dbRows} Postgres rows`,
      "edge_guard.block_score": String(BLOCK_SCORE),
    },
  });
  const gap = await checkOnnx(bytes, rounded, xTest);
  console.log(`\nonnxruntime-web vs TypeScript on the held-out rows: max |Δ| = ${gap.toExponential(2)}`);
  if (!(gap < 1e-4)) throw new Error("the exported ONNX model disagrees with the trained one");

  const outDir = values.out;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "edge-guard.onnx"), bytes);
  const card = {
    version,
    kind: "logistic-regression (MatMul + Add + Sigmoid), input 'features' float [N, F], output 'score' float [N, 1]",
    trainedAt: new Date().toISOString(),
    features: FEATURE_NAMES,
    weights: Object.fromEntries(FEATURE_NAMES.map((name, j) => [name, rounded.weights[j]])),
    bias: rounded.bias,
    pathModel: { version: pathModel.version, states: pathModel.states },
    dataset: {
      seed: { path: values["no-seed"] ? null : seedPath, rows: sources.seedRows },
      postgres: { rows: sources.dbRows, labels: sources.labels },
      train: train.length,
      heldOut: test.length,
      note: "Seed data: real User-Agent strings and the demo site's paths with SYNTHETIC behaviour (see models/README.md). Metrics on it show the pipeline works, not how the model does on real traffic: retrain with --from-db once Postgres holds labelled events.",
    },
    metrics: { blockScore: BLOCK_SCORE, model: modelEval, rulesOnly: rulesEval },
  };
  writeFileSync(join(outDir, "edge-guard.json"), JSON.stringify(card, null, 2) + "\n");
  log(`wrote ${join(outDir, "edge-guard.onnx")} (${bytes.length} bytes, version ${version}) and ${join(outDir, "edge-guard.json")}`);
}

main().catch((error: unknown) => {
  console.error("[train-model] failed:", error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
