/**
 * `npm run bench:escalation`: escalation's speed in workerd (Miniflare, built exactly as `wrangler deploy` builds),
 * written to bench/results/escalation.md with the model's held-out quality from models/edge-guard.json.
 *
 * 1. Warm score latency per event: the harness Worker (workers/escalation/bench/index.ts) scores N events in one
 *    request; per event = (time for N − time for 0) / N, median of 5. Features alone; features + ONNX one event per
 *    call; features + ONNX in batches of 50 (what the consumer does).
 * 2. Cold start: a fresh workerd until ready, then the first request that loads ORT and the model.
 * 3. Events per second through the queue consumer: reports sent to the local Queue, consumed by the built
 *    escalation Worker, until all are rows in the embedded Postgres (PGlite: one session at a time).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { buildAuxWorker } from "../dev/aux-worker";
import { join } from "node:path";
import { Pool, neonConfig } from "@neondatabase/serverless";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions, type LegacyWorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import ws from "ws";
import type { DecisionReport } from "../core/report";
import { ROOT, buildWorker } from "../dev/build";
import { startLocalPostgres } from "../dev/postgres";
import { builtModules } from "../dev/stack";
import { loadSeedRows } from "../scripts/model/training-data";

const BUILD = join(ROOT, ".state/bench");
const RESULTS = join(ROOT, "bench/results/escalation.md");
const SCORE_EVENTS = 20_000;
const QUEUE_EVENTS = Number(process.env.BENCH_QUEUE_EVENTS ?? "1500");
/** `BENCH_ONLY=queue` runs the queue part alone and prints it (nothing is written). */
const ONLY = process.env.BENCH_ONLY;
const RUNS = 5;
const log = (line: string): void => console.log(`[bench:escalation] ${line}`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** A built Worker as dev/stack.ts runs it: wrangler's options for its config, the built modules, extra bindings. */
function worker(name: string, config: string, dir: string, bindings: Record<string, string> = {}): LegacyWorkerOptions {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, config));
  const outDir = join(BUILD, dir);
  const { modulesRules: _rules, rootPath: _root, ...options } = workerOptions as LegacyWorkerOptions & { modulesRules?: unknown };
  return {
    ...options,
    name,
    modules: builtModules(outDir),
    modulesRoot: outDir,
    bindings: { ...(options.bindings as Record<string, unknown>), ...bindings },
  } as LegacyWorkerOptions;
}

function miniflare(workers: LegacyWorkerOptions[]): Miniflare {
  return new Miniflare(convertV4MiniflareOptions({ workers, cf: false, log: new Log(LogLevel.WARN) }));
}

async function timed(url: string, init?: RequestInit): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
  return performance.now() - started;
}

async function scoreLatency(samples: unknown): Promise<Record<string, number>> {
  const mf = miniflare([worker("escalation-bench-harness", "workers/escalation/bench/wrangler.toml", "harness")]);
  try {
    const base = (await mf.ready).toString().replace(/\/$/, "");
    await timed(`${base}/load`);
    await timed(`${base}/samples`, { method: "POST", body: JSON.stringify(samples) });
    await timed(`${base}/score?n=${SCORE_EVENTS}`, { method: "POST" }); // warm-up: JIT, caches
    const overhead = median(await runs(() => timed(`${base}/score?n=0`, { method: "POST" })));
    const perEvent = async (query: string) =>
      ((median(await runs(() => timed(`${base}/score?n=${SCORE_EVENTS}&${query}`, { method: "POST" }))) - overhead) * 1000) / SCORE_EVENTS;
    return {
      "features only (µs/event)": await perEvent("mode=features"),
      "features + ONNX, 1 event per run() (µs/event)": await perEvent("batch=1"),
      "features + ONNX, 50 events per run() (µs/event)": await perEvent("batch=50"),
    };
  } finally {
    await mf.dispose();
  }
}

async function runs(run: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) out.push(await run());
  return out;
}

async function coldStart(): Promise<Record<string, number>> {
  const ready: number[] = [];
  const first: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const mf = miniflare([worker("escalation-bench-harness", "workers/escalation/bench/wrangler.toml", "harness")]);
    try {
      const base = (await mf.ready).toString().replace(/\/$/, "");
      ready.push(performance.now() - started);
      first.push(await timed(`${base}/load`));
      warm.push(await timed(`${base}/load`));
    } finally {
      await mf.dispose();
    }
  }
  return {
    "workerd start until ready (ms)": median(ready),
    "first request: ORT init + model load (ms)": median(first),
    "same request, warm (ms)": median(warm),
  };
}

/**
 * escalation binds RANGE_INDEX to edge-guard's Durable Object (script_name = "edge-guard"): the queue run hosts the real
 * RangeIndex class in a small Worker of that name, as the test projects do (test/workers/range-index-host.ts).
 */
function rangeIndexHost(): LegacyWorkerOptions {
  const scriptPath = buildAuxWorker(join(ROOT, "test/workers/range-index-host.ts"), join(BUILD, "range-index-host.js"));
  return {
    name: "edge-guard",
    modules: true,
    scriptPath,
    compatibilityDate: "2026-08-01",
    durableObjects: { RANGE_INDEX: { className: "RangeIndex", useSQLite: true } },
    kvNamespaces: { BLOCKLIST: "edge-guard-blocklist" },
  } as LegacyWorkerOptions;
}

async function queueThroughput(reports: DecisionReport[]): Promise<Record<string, number>> {
  const postgres = await startLocalPostgres({ defaultCorpus: false });
  const db = { DATABASE_URL: postgres.databaseUrl, NEON_LOCAL_PROXY: postgres.neonLocalProxy };
  let mf: Miniflare | null = null;
  neonConfig.webSocketConstructor = ws;
  neonConfig.wsProxy = (host, port) => `${postgres.neonLocalProxy}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  const count = async (prefix: string): Promise<number> => {
    const pool = new Pool({ connectionString: postgres.databaseUrl, max: 1 });
    try {
      return Number((await pool.query("SELECT count(*)::int AS n FROM decisions WHERE report_id LIKE $1", [`${prefix}%`])).rows[0]?.n ?? 0);
    } finally {
      await pool.end();
    }
  };
  const drain = async (mf: Miniflare, batch: DecisionReport[], prefix: string): Promise<number> => {
    const base = (await mf.ready).toString().replace(/\/$/, "");
    const started = performance.now();
    await timed(`${base}/enqueue`, { method: "POST", body: JSON.stringify(batch) });
    while ((await count(prefix)) < batch.length) {
      if (performance.now() - started > 600_000)
        throw new Error(`only ${await count(prefix)} of ${batch.length} reports recorded after 10 min`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return performance.now() - started;
  };
  try {
    mf = miniflare([
      worker("escalation-bench-harness", "workers/escalation/bench/wrangler.toml", "harness"),
      worker("edge-guard-escalation", "workers/escalation/wrangler.toml", "escalation", db),
      rangeIndexHost(),
    ]);
    await drain(
      mf,
      reports.slice(0, 50).map((r) => ({ ...r, id: `warm-${r.id}` })),
      "warm-",
    );
    const ms = await drain(mf, reports, "bench-");
    return { reports: reports.length, seconds: ms / 1000, "events per second": (reports.length * 1000) / ms };
  } finally {
    await mf?.dispose();
    await postgres.stop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(BUILD, { recursive: true });
  const [harnessSize, escalationSize] = await Promise.all([
    buildWorker("workers/escalation/bench/wrangler.toml", join(BUILD, "harness")),
    buildWorker("workers/escalation/wrangler.toml", join(BUILD, "escalation")),
  ]);
  log(`built: escalation ${escalationSize}; harness ${harnessSize}`);
  const seed = loadSeedRows(join(ROOT, "models/seed-dataset.jsonl"));
  const samples = seed.slice(0, 200).map((r) => ({ report: r.report, history: r.history }));
  const latency = ONLY === "queue" ? {} : await scoreLatency(samples);
  log(JSON.stringify(latency));
  const cold = ONLY === "queue" ? {} : await coldStart();
  log(JSON.stringify(cold));
  const now = Date.now();
  const reports = seed.slice(0, QUEUE_EVENTS).map((r, i): DecisionReport => ({
    ...r.report,
    id: `bench-${String(i).padStart(6, "0")}`,
    ip: `45.40.${i % 7}.${(i % 250) + 1}`,
    at: now - (QUEUE_EVENTS - i) * 10,
  }));
  const queue = await queueThroughput(reports);
  log(JSON.stringify(queue));
  if (ONLY !== undefined) return;
  const card = JSON.parse(readFileSync(join(ROOT, "models/edge-guard.json"), "utf8")) as ModelCard;
  writeFileSync(RESULTS, report(escalationSize, latency, cold, queue, card, (Date.now() - started) / 1000));
  log(`wrote ${RESULTS}`);
}

/** The parts of the model card (models/edge-guard.json) the report quotes. */
interface ModelCard {
  version: string;
  kind: string;
  metrics: {
    blockScore: number;
    model: Record<string, unknown>;
    rulesOnly: Record<string, unknown>;
    heldOut?: Record<"lr" | "gbt", Record<string, unknown>>;
  };
}

function report(
  size: string,
  latency: Record<string, number>,
  cold: Record<string, number>,
  queue: Record<string, number>,
  card: ModelCard,
  seconds: number,
): string {
  const rows = (values: Record<string, number>) =>
    Object.entries(values)
      .map(([k, v]) => `| ${k} | ${Number.isInteger(v) ? v : v.toFixed(2)} |`)
      .join("\n");
  const quality = (name: string, m: Record<string, unknown>) => {
    const at = (c: unknown) =>
      c as {
        threshold: number;
        precision: number;
        recall: number;
        falsePositiveRate: number;
        tp: number;
        fp: number;
        tn: number;
        fn: number;
      };
    const [half, block] = [at(m["atHalf"]), at(m["atBlockScore"])];
    const line = (c: ReturnType<typeof at>) =>
      `precision ${(100 * c.precision).toFixed(1)} %, recall ${(100 * c.recall).toFixed(1)} %, FPR ${(100 * c.falsePositiveRate).toFixed(1)} % (TP ${c.tp} FP ${c.fp} TN ${c.tn} FN ${c.fn})`;
    return `| ${name} | ${Number(m["rocAuc"]).toFixed(4)} | ${line(half)} | ${line(block)} |`;
  };
  return `# escalation benchmark

Run \`npm run bench:escalation\` (${new Date().toISOString()}, ${seconds.toFixed(0)} s). Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}.
Workers built by \`wrangler deploy --dry-run\` and run in Miniflare's workerd. escalation bundle: ${size}.

## Score latency per event, warm (goal ≤ 50 µs)

One request scores ${SCORE_EVENTS} events (seed-dataset reports with their histories); per event = (request time − empty request time) / ${SCORE_EVENTS}, median of ${RUNS}.

| what | value |
| --- | --- |
${rows(latency)}

## Cold start

Median of 3 fresh workerd processes.

| what | value |
| --- | --- |
${rows(cold)}

## Queue consumer, locally

Reports sent to the local Queue (\`sendBatch\`, 100 per call) and consumed by the built escalation Worker (batches of up to 50,
1 s batch timeout) until every one is a row in Postgres. Postgres here is the embedded PGlite behind its serialising
proxy: one session at a time, about 1 ms per query, so this measures the local stack, not Neon. No LLM configured.

| what | value |
| --- | --- |
${rows(queue)}

## Model quality on the held-out split

Model ${card.version} (${card.kind}), from models/edge-guard.json (block score ${card.metrics.blockScore}). Held-out
clients of the synthetic seed and the traffic lab (models/README.md): the pipeline's figures, not real-traffic accuracy.

| scorer | ROC AUC | at 0.5 | at block score |
| --- | --- | --- | --- |
${quality("shipped model", card.metrics.model)}
${card.metrics.heldOut ? `${quality("logistic regression", card.metrics.heldOut.lr)}\n${quality("gradient-boosted trees", card.metrics.heldOut.gbt)}\n` : ""}${quality("rules-only fallback", card.metrics.rulesOnly)}
`;
}

main().catch((error: unknown) => {
  console.error("[bench:escalation] failed:", error);
  process.exitCode = 1;
});
