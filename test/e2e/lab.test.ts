import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { runLab } from "../../scripts/lab/lab";
import { LAB_KIND_NAMES, LAB_KINDS } from "../../scripts/lab/lab-plan";

/**
 * `npm run lab -- --quick` in CI: every client kind runs against the real dev stack, the dataset holds what escalation
 * stored for them (labelled by kind, marked as lab rows), and train-model accepts it.
 */
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "edge-guard-lab-test-"));
const out = join(dir, "quick.jsonl");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the traffic lab, quick", () => {
  it("drives every kind, writes a labelled lab dataset, and train-model trains on it", async () => {
    const summary = await runLab({ seed: 1, quick: true, out, prebuilt: true });
    // Every kind ran, and each left a trace: reports escalation stored, or quiet requests in a summary.
    expect(Object.keys(summary).sort()).toEqual([...LAB_KIND_NAMES].sort());
    for (const kind of LAB_KIND_NAMES) expect(summary[kind]?.rows ?? 0, kind).toBeGreaterThan(0);

    const rows = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { label: number; kind: string; source: string; role: string; client: string });
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(LAB_KIND_NAMES));
    expect(rows.every((r) => r.source === "lab")).toBe(true);
    for (const r of rows) expect(r.label, r.kind).toBe(LAB_KINDS[r.kind as keyof typeof LAB_KINDS].role === "bot" ? 1 : 0);
    expect(JSON.parse(readFileSync(`${out}.summary.json`, "utf8"))).toMatchObject({ seed: 1, quick: true, rows: rows.length });

    const trained = await run(
      process.execPath,
      ["--import", "tsx", "scripts/model/train-model.ts", "models/seed-dataset.jsonl", out, "--out", join(dir, "model"), "--quick"],
      { timeout: 170_000, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(trained.stdout).toMatch(/\.jsonl: \d+ rows/);
    expect(trained.stdout).toMatch(/"lab":[1-9]\d*/);
    expect(trained.stdout).toMatch(/^chosen: (?:gradient-boosted trees|logistic regression)/m);
    const card = JSON.parse(readFileSync(join(dir, "model", "edge-guard.json"), "utf8")) as {
      dataset: { bySource: Record<string, number> };
    };
    expect(card.dataset.bySource["lab"]).toBeGreaterThan(0);
  }, 420_000);
});
