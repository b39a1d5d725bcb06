import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Pool, neonConfig } from "@neondatabase/serverless";
import ws from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DecisionReport } from "../../core/report";
import { startLocalPostgres, type LocalPostgres } from "../../dev/postgres";
import { LABEL_LOOKBACK_MS, labelledRows, type StoredDecision } from "../../scripts/model/labelled-rows";
import { loadSeedRows } from "../../scripts/model/training-data";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const T = 1_790_000_000_000;

const stored = (
  id: string,
  ip: string,
  at: number,
  label: Pick<StoredDecision, "labelKind" | "labelValue"> | null = null,
): StoredDecision => ({
  reportId: id,
  ip,
  at,
  path: `/p/${id}`,
  report: aReport(id, ip, at),
  labelKind: label?.labelKind ?? null,
  labelValue: label?.labelValue ?? null,
});
function aReport(id: string, ip: string, at: number): DecisionReport {
  return {
    v: 1,
    id,
    at,
    source: "edge",
    ip,
    method: "GET",
    path: `/p/${id}`,
    userAgent: "ua",
    headers: {},
    cf: {},
    action: "allow",
    score: 0,
    reasons: [],
    counts: { hits1m: 1, hits10m: 1, tarpitHits: 0 },
  };
}

describe("labelledRows", () => {
  it("labels a client's reports in the lookback before a labelling event, not the event itself, with their history", () => {
    const { rows, stats } = labelledRows(
      [
        stored("old", "1.1.1.1", T - LABEL_LOOKBACK_MS - 1),
        stored("a", "1.1.1.1", T - 60_000),
        stored("b", "1.1.1.1", T - 1_000),
        stored("hit", "1.1.1.1", T, { labelKind: "honeypot", labelValue: "bot" }),
        stored("after", "1.1.1.1", T + 1_000),
        stored("other-ip", "2.2.2.2", T - 1_000),
      ],
      [],
    );
    expect(rows.map((r) => [r.report.id, r.label, r.kind, r.group])).toEqual([
      ["a", 1, "db:honeypot", "ip:1.1.1.1"],
      ["b", 1, "db:honeypot", "ip:1.1.1.1"],
    ]);
    expect(rows[1]?.history.map((h) => h.id)).toEqual(["old", "a"]);
    expect(stats).toMatchObject({ anchors: 1, rows: 2, conflicts: 0 });
  });

  it("lets operators override edge labels, drops contradictions, and sets good bots aside", () => {
    const decisions = [
      stored("x1", "3.3.3.3", T - 5_000),
      stored("solved", "3.3.3.3", T, { labelKind: "challenge-solved", labelValue: "human" }),
      stored("y1", "4.4.4.4", T - 5_000),
      stored("y-bot", "4.4.4.4", T - 100, { labelKind: "robots-violation", labelValue: "bot" }),
      stored("y-human", "4.4.4.4", T, { labelKind: "challenge-solved", labelValue: "human" }),
      stored("g1", "5.5.5.5", T - 5_000),
      stored("g", "5.5.5.5", T, { labelKind: "verified-crawler", labelValue: "good-bot" }),
    ];
    const { rows, stats } = labelledRows(decisions, [{ ip: "3.3.3.3", reportId: "solved", value: "bot", at: T + 60_000 }]);
    // y1 lies before both of 4.4.4.4's events and is dropped; y-bot lies only before the later, human one.
    expect(rows.map((r) => [r.report.id, r.label, r.kind])).toEqual([
      ["x1", 1, "db:operator"],
      ["y-bot", 0, "db:challenge-solved"],
      ["solved", 1, "db:operator"],
    ]);
    expect(stats).toMatchObject({ conflicts: 1, goodBots: 1 });
  });
});

describe("npm run train:model -- --from-db", () => {
  let postgres: LocalPostgres;
  let out: string;
  beforeAll(async () => {
    postgres = await startLocalPostgres({ defaultCorpus: false });
    out = mkdtempSync(join(tmpdir(), "edge-guard-model-"));
    await seedDecisions(postgres);
  }, 120_000);
  afterAll(async () => {
    await postgres?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it("trains on labelled Postgres rows alone, evaluates, and writes a versioned model", async () => {
    const result = await train(postgres, ["--from-db", "--no-seed", "--out", out, "--quick"]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Postgres: 240 labelling events → \d+ rows/);
    expect(result.output).toMatch(/held-out clients, logistic regression \(\d+ rows\): ROC AUC 0\.9\d+/);
    expect(result.output).toMatch(/held-out clients, gradient-boosted trees .*\(\d+ rows\): ROC AUC 0\.9\d+/);
    expect(result.output).toMatch(/^chosen: (?:gradient-boosted trees|logistic regression)/m);
    expect(result.output).toContain("confusion");
    const card = JSON.parse(readFileSync(join(out, "edge-guard.json"), "utf8")) as {
      version: string;
      dataset: { seed: { rows: number }; postgres: { rows: number } };
      metrics: { model: { rocAuc: number } };
    };
    expect(card.version).toMatch(/^(?:lr|gbt)-[0-9a-f]{10}$/);
    expect(card.dataset.seed.rows).toBe(0);
    expect(card.dataset.postgres.rows).toBeGreaterThan(1000);
    // Labels, not the stored (deliberately inverted) verdicts, taught the model.
    expect(card.metrics.model.rocAuc).toBeGreaterThan(0.9);
    expect(existsSync(join(out, "edge-guard.onnx"))).toBe(true);
  }, 180_000); // two models, each also refitted per left-out kind family

  it("merges the seed dataset with the Postgres rows", async () => {
    const result = await train(postgres, ["--from-db", "--out", out, "--quick"]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/\d+ rows \{"synthetic":2500,"lab":\d+,"postgres":\d+\}/);
  }, 180_000);
});

/**
 * 240 clients from the seed dataset, stored as the escalation Worker stores reports: every request a decision row,
 * then a labelling event a second later (honeypot hit for bots, solved challenge for people). Stored verdicts and
 * scores are the opposite of the truth, so a trainer that read them would fail.
 */
async function seedDecisions(postgres: LocalPostgres): Promise<void> {
  const clients = loadSeedRows(join(ROOT, "models/seed-dataset.jsonl")).slice(0, 240);
  const rows = clients.flatMap((client, c) => {
    const ip = `45.30.${Math.floor(c / 250)}.${(c % 250) + 1}`;
    const bot = client.label === 1;
    const decision = (report: DecisionReport, label: string | null) => ({
      report_id: `db-${c}-${report.id}`,
      at: new Date(report.at).toISOString(),
      source: report.source,
      ip,
      method: report.method,
      path: report.path,
      user_agent: report.userAgent,
      edge_action: report.action,
      edge_score: report.score,
      reasons: report.reasons,
      verdict: bot ? "human" : "bot",
      model_score: bot ? 0.01 : 0.99,
      report: { ...report, id: `db-${c}-${report.id}`, ip },
      label_kind: label,
      label_value: label === null ? null : bot ? "bot" : "human",
    });
    const earlier = client.history.map((h) => decision({ ...client.report, id: h.id, at: h.at, path: h.path }, null));
    const anchor = {
      ...client.report,
      id: `${client.report.id}-label`,
      at: client.report.at + 1000,
      path: bot ? "/archive/1/x" : "/__challenge",
    };
    return [...earlier, decision(client.report, null), decision(anchor, bot ? "honeypot" : "challenge-solved")];
  });
  neonConfig.webSocketConstructor = ws;
  neonConfig.wsProxy = (host, port) => `${postgres.neonLocalProxy}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  const pool = new Pool({ connectionString: postgres.databaseUrl, max: 1 });
  try {
    await pool.query(
      `INSERT INTO decisions (report_id, at, source, ip, method, path, user_agent, edge_action, edge_score, reasons, verdict, model_score, report, label_kind, label_value)
       SELECT report_id, at, source, ip, method, path, user_agent, edge_action, edge_score, reasons, verdict, model_score, report, label_kind, label_value
         FROM jsonb_to_recordset($1::jsonb) AS x(report_id text, at timestamptz, source text, ip text, method text, path text, user_agent text, edge_action text,
              edge_score float8, reasons jsonb, verdict text, model_score float8, report jsonb, label_kind text, label_value text)`,
      [JSON.stringify(rows)],
    );
  } finally {
    await pool.end();
  }
}

function train(postgres: LocalPostgres, args: string[]): Promise<{ code: number; output: string }> {
  const tsx = join(ROOT, "node_modules/tsx/dist/cli.mjs");
  const env = { ...process.env, DATABASE_URL: postgres.databaseUrl, NEON_LOCAL_PROXY: postgres.neonLocalProxy };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsx, join(ROOT, "scripts/model/train-model.ts"), ...args],
      { env, cwd: ROOT, maxBuffer: 8 << 20 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, output: stdout + stderr });
      },
    );
  });
}
