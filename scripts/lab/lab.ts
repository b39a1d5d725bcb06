/**
 * `npm run lab [-- --seed N] [--quick] [--out FILE] [--prebuilt]`: the traffic lab. Starts the dev stack as the
 * end-to-end tests do (dev/stack.ts: demo origin, embedded Postgres, the four Workers in workerd), drives real
 * clients (test/support/real-clients.ts) under the identities of a seeded plan (scripts/lab/lab-plan.ts), waits
 * until escalation has stored what they caused, and writes what the edge and escalation really saw:
 *
 * - FILE (JSONL): one line per decision report escalation stored, in the seed dataset's row shape (`label`, `kind`,
 *   `report`, `history`) plus `source: "lab"`, `role`, `client` and escalation's verdict at the time;
 * - FILE.summary.json: per kind, clients, rows, the edge's actions, escalation's verdicts, blocks, quiet requests
 *   (allowed, reaching escalation only as summaries) and real pages the origin served.
 *
 * FILE defaults to models/lab-dataset.jsonl (.state/lab/quick.jsonl with --quick). Loopback only.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { startStack } from "../../dev/stack";
import { withPostgresSession } from "../../dev/postgres-session";
import { OriginPages } from "../../test/support/origin-pages";
import {
  aiCrawler,
  curlFollowing,
  feedReader,
  headlessChromium,
  httrackMirror,
  personInChromium,
  personInLynx,
  pythonRequests,
  requestsFleet,
  scrapyCrawl,
  verifiedCrawler,
  wgetRecursive,
  type ClientDriver,
} from "../../test/support/real-clients";
import { SeededRandom } from "../model/seeded-random";
import { readLabRows, storedCounts, type KindSummary } from "./lab-dataset";
import { labPlan, type LabKind } from "./lab-plan";

const DRIVERS: Record<LabKind, ClientDriver> = {
  "person-chromium": personInChromium,
  "person-lynx": personInLynx,
  "feed-reader": feedReader,
  "verified-crawler": verifiedCrawler,
  "ai-crawler": aiCrawler,
  curl: curlFollowing,
  wget: wgetRecursive,
  scrapy: scrapyCrawl,
  httrack: httrackMirror,
  requests: pythonRequests,
  "headless-chromium": headlessChromium,
  "requests-fleet": requestsFleet,
};
/** Postgres is read once its decision and summary rows have stopped growing for this long (the Queue has drained). */
const SETTLED_MS = 4_000;
const SETTLE_MAX_MS = 60_000;

const log = (line: string): void => console.log(`[lab] ${line}`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function settle(): Promise<void> {
  const started = Date.now();
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() - started < SETTLE_MAX_MS) {
    const n = await withPostgresSession("reading", () => undefined, storedCounts);
    if (n !== last) [last, stableSince] = [n, Date.now()];
    else if (Date.now() - stableSince >= SETTLED_MS) return;
    await sleep(1_000);
  }
  log(`Postgres still growing after ${SETTLE_MAX_MS / 1000} s (${last} rows): reading what is there`);
}

export async function runLab(options: {
  seed: number;
  quick: boolean;
  out: string;
  prebuilt: boolean;
}): Promise<Record<string, KindSummary>> {
  const plan = labPlan(options.seed, options.quick);
  const started = performance.now();
  log(
    `seed ${plan.seed}${plan.quick ? " (quick)" : ""}: ${plan.clients.length} clients of ${new Set(plan.clients.map((c) => c.kind)).size} kinds`,
  );
  const origin = new OriginPages();
  const work = mkdtempSync(join(tmpdir(), "edge-guard-lab-"));
  const stack = await startStack({
    edgePort: 0,
    adminPort: 0,
    originPort: 0,
    prebuilt: options.prebuilt,
    onOriginRequest: origin.record,
    // The labyrinth at full speed: the lab records decisions, not how long a scraper is held.
    vars: { "edge-guard-tarpit": { STREAM_DELAY_MS: "0" } },
  });
  // Command-line readers (dev/postgres-session.ts) find the stack's database through these.
  process.env.DATABASE_URL = stack.databaseUrl;
  process.env.NEON_LOCAL_PROXY = stack.neonLocalProxy;
  try {
    log(`stack up at ${stack.edgeUrl} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    for (const [i, client] of plan.clients.entries()) {
      const t0 = performance.now();
      const dir = join(work, client.id);
      mkdirSync(dir, { recursive: true });
      await DRIVERS[client.kind]({
        edgeUrl: stack.edgeUrl,
        ips: client.ips,
        cf: client.cf,
        work: dir,
        random: new SeededRandom(client.seed),
        pages: client.pages,
        pace: plan.pace,
      });
      log(
        `${String(i + 1).padStart(3)}/${plan.clients.length} ${client.id.padEnd(22)} ${client.role.padEnd(8)} ${client.ips[0]}${client.ips.length > 1 ? ` (+${client.ips.length - 1})` : ""} AS${client.cf["asn"]}: ${origin.pages(client.ips)} real pages${client.kind === "feed-reader" ? ` and ${client.ips.reduce((n, ip) => n + origin.feeds(ip), 0)} feeds` : ""}, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    log("waiting for escalation to store what it was sent");
    await settle();
    const { rows, summary, unparsed } = await withPostgresSession("reading", log, (session) =>
      readLabRows(session, plan.clients, (ips) => origin.pages(ips) + ips.reduce((n, ip) => n + origin.feeds(ip), 0)),
    );
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length > 0 ? "\n" : ""));
    const seconds = (performance.now() - started) / 1000;
    const meta = {
      seed: plan.seed,
      quick: plan.quick,
      clients: plan.clients.length,
      rows: rows.length,
      unparsed,
      seconds: Math.round(seconds),
    };
    writeFileSync(`${options.out}.summary.json`, JSON.stringify({ ...meta, kinds: summary }, null, 2) + "\n");
    printSummary(summary);
    log(
      `wrote ${rows.length} rows to ${options.out} (+ .summary.json) in ${seconds.toFixed(0)} s${unparsed > 0 ? `; ${unparsed} stored reports did not parse` : ""}`,
    );
    return summary;
  } finally {
    await stack.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

function printSummary(summary: Record<string, KindSummary>): void {
  const count = (m: Record<string, number>) =>
    Object.entries(m)
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || "-";
  console.log(`\n${"kind".padEnd(18)} clients  rows  quiet  pages  blocked  edge actions / escalation verdicts`);
  for (const [kind, s] of Object.entries(summary).sort()) {
    console.log(
      `${kind.padEnd(18)} ${String(s.clients).padStart(7)} ${String(s.rows).padStart(5)} ${String(s.quietRequests).padStart(6)} ${String(s.realPages).padStart(6)} ${String(s.blocked).padStart(8)}  ${count(s.edge)} / ${count(s.escalation)}`,
    );
  }
  console.log("");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: "string", default: "1" },
      quick: { type: "boolean", default: false },
      out: { type: "string" },
      prebuilt: { type: "boolean", default: false },
    },
  });
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got "${values.seed}"`);
  const out = values.out ?? (values.quick ? ".state/lab/quick.jsonl" : "models/lab-dataset.jsonl");
  await runLab({ seed, quick: values.quick, out, prebuilt: values.prebuilt });
}

if (process.argv[1]?.endsWith("lab.ts")) {
  main().catch((error: unknown) => {
    console.error("[lab] failed:", error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
