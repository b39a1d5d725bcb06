/** The training set's rows, from the seed file or from Postgres, and the held-out split. */
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { HistoryEntry } from "../../core/client-history";
import { historyBefore } from "../../core/client-history";
import { fnv1a } from "../../core/fingerprint";
import { DecisionReportSchema, type DecisionReport } from "../../core/report";

/** One labelled report with the client history it is scored on (1 = bot, to be blocked; 0 = not). */
export interface TrainingRow {
  readonly label: 0 | 1;
  /** Seed profile, or `db:<label kind>`: for the per-kind error table. */
  readonly kind: string;
  /** Rows of one group land on the same side of the split (one client's reports must not be on both). */
  readonly group: string;
  readonly report: DecisionReport;
  readonly history: readonly HistoryEntry[];
}

const SeedLineSchema = z.object({
  label: z.union([z.literal(0), z.literal(1)]),
  kind: z.string(),
  report: DecisionReportSchema,
  history: z.array(z.tuple([z.number().int().nonpositive(), z.string().max(2048)])).default([]),
});

/** Reads a seed-format JSONL file (see scripts/model/make-seed-dataset.ts); a bad line is an error naming file and line. */
export function loadSeedRows(path: string): TrainingRow[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, i) => {
      const parsed = SeedLineSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${path}:${i + 1}: ${z.prettifyError(parsed.error)}`);
      const { label, kind, report, history } = parsed.data;
      const entries = history.map(([dt, p], j) => ({ id: `${report.id}:h${j}`, at: report.at + dt, path: p }));
      return { label, kind, group: `seed:${report.id}`, report, history: historyBefore(report, entries) };
    });
}

/** Splits by group, deterministically: about `testShare` of the groups (hashed with `seed`) are held out. */
export function splitByGroup<T extends { readonly group: string }>(
  rows: readonly T[],
  testShare: number,
  seed: number,
): { train: T[]; test: T[] } {
  const train: T[] = [];
  const test: T[] = [];
  for (const row of rows) (fnv1a(`${seed}:${row.group}`) / 2 ** 32 < testShare ? test : train).push(row);
  return { train, test };
}
