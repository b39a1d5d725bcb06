import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { checkModel, formatShare, type ModelCheck } from "../../scripts/model/evaluate-model";
import { wilson } from "../../scripts/model/model-evaluation";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/**
 * Five rows of `npm run lab -- --seed 2`, each with the history escalation scored it on: curl-2 blocked at the edge
 * (scripted agent, scripted crawl, no subresources), person-chromium-6's first page (a challenge on a hosting network),
 * person-chromium-3 solving the challenge (labelled human), person-chromium-8 in the labyrinth (network, fleet and
 * tarpit signals only: no block evidence), and a feed reader (a good bot, set aside).
 */
const SLICE = join(ROOT, "test/fixtures/models/lab-seed2-slice.jsonl");
const MODEL = join(ROOT, "models/edge-guard.onnx");

function run(args: string[]): Promise<{ code: number; output: string }> {
  const tsx = join(ROOT, "node_modules/tsx/dist/cli.mjs");
  return new Promise((resolve) => {
    execFile(process.execPath, [tsx, join(ROOT, "scripts/model/evaluate-model.ts"), ...args], { cwd: ROOT }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, output: stdout + stderr }),
    );
  });
}

describe("eval:model", () => {
  const out = mkdtempSync(join(tmpdir(), "edge-guard-eval-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("scores a lab slice with the shipped model: the scripted client at the block score and blocked, people not blocked", async () => {
    const check = await checkModel([SLICE], MODEL, 0.9);
    expect(check.model.version).toMatch(/^(?:lr|gbt)-[0-9a-f]{10}$/);
    expect(check.files).toEqual([{ path: SLICE, rows: 4, goodBotsSetAside: 1 }]);
    const [curl, firstPage, solved, labyrinth] = check.scores as [number, number, number, number];
    expect(curl).toBeGreaterThanOrEqual(0.9);
    expect(firstPage).toBeLessThan(0.9);
    expect(solved).toBeLessThan(0.9);

    const kind = (name: string) => check.kinds.find((k) => k.kind === name);
    expect(kind("curl")).toMatchObject({ rows: 1, clients: 1, atBlockScore: { flagged: 1, recall: 1 }, blocked: { flagged: 1 } });
    // The labyrinth row's score may fall either side of 0.9; escalation's verdict never blocks it (trap and context only).
    const peopleAt = [firstPage, solved, labyrinth].filter((s) => s >= 0.9).length;
    expect(kind("person-chromium")).toMatchObject({
      rows: 3,
      clients: 3,
      atBlockScore: { flagged: peopleAt, falsePositiveCi: wilson(peopleAt, 3) },
      blocked: { flagged: 0, falsePositiveCi: wilson(0, 3) },
      clientsAtBlockScore: { k: peopleAt, n: 3 },
      clientsBlocked: { k: 0, n: 3 },
    });
    expect(check.people.blocked).toEqual({ k: 0, n: 3, rate: 0, ci: wilson(0, 3) });
    expect(check.bots.blocked).toMatchObject({ k: 1, n: 1 });
    // Lab rows carry the score escalation stored when the lab ran: compared row by row.
    expect(check.live?.rows).toBe(4);

    // The command prints the same figures and writes them with --json.
    const json = join(out, "check.json");
    const result = await run([SLICE, "--model", MODEL, "--json", json]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`${SLICE}: 4 rows scored (1 good-bot rows set aside)`);
    expect(result.output).toContain(`people rows at the block score: ${formatShare(check.people.atBlockScore)}`);
    expect(result.output).toContain(`blocked by the verdict: ${formatShare(check.people.blocked)}`);
    expect(result.output).toMatch(/^ {2}curl +1 +1 {2}recall 100\.0% /m);
    const written = JSON.parse(readFileSync(json, "utf8")) as Omit<ModelCheck, "scores">;
    const { scores: _scores, ...figures } = check;
    expect(written).toMatchObject(JSON.parse(JSON.stringify(figures)) as object);
  });

  it("refuses a file that is not a model, naming the problem", async () => {
    const result = await run([SLICE, "--model", SLICE]);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/\[eval-model\] failed: .+/);
    expect(result.output).not.toContain("people rows");
  });
});
