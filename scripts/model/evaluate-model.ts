/**
 * `npm run eval:model -- FILE… [--model models/edge-guard.onnx] [--json OUT]`: scores every row of lab- or
 * seed-format datasets with a trained model file, as escalation scores a report: the model's own path model and
 * feature contract from its metadata (workers/escalation/onnx-metadata.ts), `extractFeatures` on the report and its
 * history, onnxruntime-web. Nothing is trained: run on a lab run the model never saw (`npm run lab -- --seed N`), this
 * is an out-of-sample test.
 *
 * Prints per kind: rows, clients, rows at or above the block score (env BLOCK_SCORE, default 0.9) and rows escalation's
 * verdict would block (`finalVerdict` with the evidence gate, no LLM), with 95 % Wilson intervals for people; how many
 * clients had at least one row blocked; and, for lab rows, how far these scores are from the ones escalation gave when
 * the lab ran. `--json OUT` writes the same figures. Good bots (lab role "good-bot") are set aside, as in training.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { extractFeatures } from "../../core/features";
import { checkModelContract } from "../../workers/escalation/onnx-metadata";
import { BLOCK_SCORE, atOrAbove, kindCell, onnxScores, perKind, pipelineBlocked, wilson, type KindResult } from "./model-evaluation";
import { loadSeedRows, type TrainingRow } from "./training-data";

const DEFAULT_MODEL = "models/edge-guard.onnx";
const log = (line: string): void => console.log(`[eval-model] ${line}`);

/** k of n with its 95 % Wilson interval. */
export interface Share {
  readonly k: number;
  readonly n: number;
  readonly rate: number;
  readonly ci: [number, number];
}

/** One kind's figures: by row (a report each) and by client (any of its reports). */
export interface KindFigures {
  readonly kind: string;
  readonly label: 0 | 1;
  readonly rows: number;
  readonly clients: number;
  /** Rows at or above the block score. */
  readonly atBlockScore: KindResult;
  /** Rows escalation's verdict would block (finalVerdict, no LLM). */
  readonly blocked: KindResult;
  /** Clients with at least one row at the block score / blocked. */
  readonly clientsAtBlockScore: Share;
  readonly clientsBlocked: Share;
}

/** How far these scores are from the scores escalation stored when the lab ran (lab rows scored by a model). */
export interface LiveAgreement {
  readonly rows: number;
  readonly maxGap: number;
  readonly medianGap: number;
  /** Rows on different sides of the block score. */
  readonly sidesDiffer: number;
}

export interface ModelCheck {
  readonly model: { readonly path: string; readonly version: string; readonly pathModel: string };
  readonly files: ReadonlyArray<{ readonly path: string; readonly rows: number; readonly goodBotsSetAside: number }>;
  readonly blockScore: number;
  readonly kinds: readonly KindFigures[];
  /** All people rows and clients together. */
  readonly people: {
    readonly atBlockScore: Share;
    readonly blocked: Share;
    readonly clientsAtBlockScore: Share;
    readonly clientsBlocked: Share;
  };
  readonly bots: { readonly atBlockScore: Share; readonly blocked: Share };
  readonly live: LiveAgreement | null;
  /** Every row's score, in file order (for tests and further analysis). */
  readonly scores: readonly number[];
}

const share = (k: number, n: number): Share => ({ k, n, rate: k / (n || 1), ci: wilson(k, n) });

/** Of the rows selected by `idx`, how many are flagged, and how many of their clients have a flagged row. */
function byRowAndClient(rows: readonly TrainingRow[], idx: readonly number[], flagged: readonly boolean[]) {
  const clients = new Set(idx.map((i) => rows[i]?.group));
  const flaggedClients = new Set(idx.filter((i) => flagged[i]).map((i) => rows[i]?.group));
  return { rows: share(idx.filter((i) => flagged[i]).length, idx.length), clients: share(flaggedClients.size, clients.size) };
}

function liveAgreement(rows: readonly TrainingRow[], scores: readonly number[], blockScore: number): LiveAgreement | null {
  const pairs = rows.flatMap((r, i) => (typeof r.liveScore === "number" ? [[r.liveScore, scores[i] ?? NaN] as const] : []));
  if (pairs.length === 0) return null;
  const gaps = pairs.map(([a, b]) => Math.abs(a - b)).sort((a, b) => a - b);
  return {
    rows: pairs.length,
    maxGap: gaps[gaps.length - 1] ?? 0,
    medianGap: gaps[Math.floor(gaps.length / 2)] ?? 0,
    sidesDiffer: pairs.filter(([a, b]) => a >= blockScore !== b >= blockScore).length,
  };
}

/** Scores the datasets' rows with the model file and tallies them per kind. */
export async function checkModel(paths: readonly string[], modelPath: string, blockScore: number): Promise<ModelCheck> {
  const bytes = new Uint8Array(readFileSync(modelPath));
  const { version, pathModel } = checkModelContract(bytes);
  const files = paths.map((path) => {
    const setAside = { goodBots: 0 };
    const rows = loadSeedRows(path, setAside);
    return { path, rows, goodBotsSetAside: setAside.goodBots };
  });
  const rows = files.flatMap((f) => f.rows);
  if (rows.length === 0) throw new Error(`no rows to score in ${paths.join(", ")}`);
  const scores = await onnxScores(
    bytes,
    rows.map((r) => extractFeatures(r.report, r.history, pathModel)),
  );
  const [kinds, labels] = [rows.map((r) => r.kind), rows.map((r) => r.label)];
  const flagged = atOrAbove(scores, blockScore);
  const blocked = pipelineBlocked(
    rows.map((r) => r.report),
    scores,
    blockScore,
  );
  const [scoreResults, blockedResults] = [perKind(kinds, labels, flagged), perKind(kinds, labels, blocked)];
  const indices = (keep: (r: TrainingRow) => boolean) => rows.flatMap((r, i) => (keep(r) ? [i] : []));
  const kindFigures = scoreResults.map((atBlockScore, j): KindFigures => {
    const idx = indices((r) => r.kind === atBlockScore.kind);
    const [s, b] = [byRowAndClient(rows, idx, flagged), byRowAndClient(rows, idx, blocked)];
    return {
      kind: atBlockScore.kind,
      label: atBlockScore.label,
      rows: idx.length,
      clients: s.clients.n,
      atBlockScore,
      blocked: blockedResults[j] as KindResult,
      clientsAtBlockScore: s.clients,
      clientsBlocked: b.clients,
    };
  });
  const people = indices((r) => r.label === 0);
  const bots = indices((r) => r.label === 1);
  const [peopleScore, peopleBlocked] = [byRowAndClient(rows, people, flagged), byRowAndClient(rows, people, blocked)];
  return {
    model: { path: modelPath, version, pathModel: pathModel.version },
    files: files.map((f) => ({ path: f.path, rows: f.rows.length, goodBotsSetAside: f.goodBotsSetAside })),
    blockScore,
    kinds: kindFigures,
    people: {
      atBlockScore: peopleScore.rows,
      blocked: peopleBlocked.rows,
      clientsAtBlockScore: peopleScore.clients,
      clientsBlocked: peopleBlocked.clients,
    },
    bots: { atBlockScore: byRowAndClient(rows, bots, flagged).rows, blocked: byRowAndClient(rows, bots, blocked).rows },
    live: liveAgreement(rows, scores, blockScore),
    scores,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
/** `k/n = rate [low, high]`. */
export const formatShare = (s: Share): string => `${s.k}/${s.n} = ${pct(s.rate)} [${pct(s.ci[0])}, ${pct(s.ci[1])}]`;

function printCheck(c: ModelCheck): void {
  log(`model ${c.model.version} (${c.model.path}), path model ${c.model.pathModel}, block score ${c.blockScore}`);
  for (const f of c.files) log(`${f.path}: ${f.rows} rows scored (${f.goodBotsSetAside} good-bot rows set aside)`);
  console.log(`\nper kind: rows at the block score, and rows escalation's verdict blocks (finalVerdict: evidence gate, labels, no LLM)`);
  console.log(
    `  ${"kind".padEnd(26)} ${"rows".padStart(5)} ${"clients".padStart(7)}  ${"at the block score".padEnd(34)} ${"blocked by the verdict".padEnd(34)} clients at / blocked`,
  );
  for (const k of c.kinds) {
    console.log(
      `  ${k.kind.padEnd(26)} ${String(k.rows).padStart(5)} ${String(k.clients).padStart(7)}  ${kindCell(k.atBlockScore).padEnd(34)} ${kindCell(k.blocked).padEnd(34)} ${k.clientsAtBlockScore.k}/${k.clients} / ${k.clientsBlocked.k}/${k.clients}`,
    );
  }
  console.log(
    `\n  people rows at the block score: ${formatShare(c.people.atBlockScore)}; blocked by the verdict: ${formatShare(c.people.blocked)}`,
  );
  console.log(
    `  people clients with a row at the block score: ${formatShare(c.people.clientsAtBlockScore)}; blocked: ${formatShare(c.people.clientsBlocked)}`,
  );
  console.log(`  bot rows at the block score: ${formatShare(c.bots.atBlockScore)}; blocked by the verdict: ${formatShare(c.bots.blocked)}`);
  if (c.live !== null) {
    console.log(
      `  against the scores escalation stored during the run (${c.live.rows} rows): median |Δ| ${c.live.medianGap.toExponential(2)}, max |Δ| ${c.live.maxGap.toExponential(2)}, ${c.live.sidesDiffer} on the other side of ${c.blockScore}`,
    );
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { model: { type: "string", default: DEFAULT_MODEL }, json: { type: "string" } },
  });
  if (positionals.length === 0) throw new Error("name at least one dataset: npm run eval:model -- FILE… [--model FILE] [--json OUT]");
  if (!(BLOCK_SCORE > 0 && BLOCK_SCORE <= 1)) throw new Error(`BLOCK_SCORE must be in (0, 1], got "${process.env.BLOCK_SCORE}"`);
  const check = await checkModel(positionals, values.model, BLOCK_SCORE);
  printCheck(check);
  if (values.json !== undefined) {
    const { scores: _scores, ...figures } = check;
    writeFileSync(values.json, JSON.stringify({ evaluatedAt: new Date().toISOString(), ...figures }, null, 2) + "\n");
    log(`wrote ${values.json}`);
  }
}

if (process.argv[1]?.endsWith("evaluate-model.ts")) {
  main().catch((error: unknown) => {
    console.error("[eval-model] failed:", error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
