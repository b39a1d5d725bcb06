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
  /** Where the row comes from: the synthetic seed generator, a traffic lab run (real clients), or Postgres labels. */
  readonly source: "synthetic" | "lab" | "postgres";
  readonly report: DecisionReport;
  readonly history: readonly HistoryEntry[];
  /** Lab rows: the score escalation gave the report when the lab ran (null: it decided by rules). */
  readonly liveScore?: number | null;
}

const SeedLineSchema = z.object({
  label: z.union([z.literal(0), z.literal(1)]),
  kind: z.string(),
  report: DecisionReportSchema,
  history: z.array(z.tuple([z.number().int().nonpositive(), z.string().max(2048)])).default([]),
  /** Lab rows (scripts/lab/) say so, and name their client and its role; seed rows carry neither. */
  source: z.enum(["synthetic", "lab"]).default("synthetic"),
  client: z.string().optional(),
  role: z.enum(["person", "good-bot", "bot"]).optional(),
  /** Lab rows: what escalation made of the report at the time (scripts/lab/lab-dataset.ts). */
  escalation: z.object({ score: z.number().nullable() }).optional(),
});

/**
 * Reads a seed-format JSONL file (see scripts/model/make-seed-dataset.ts, scripts/lab/lab.ts); a bad line is an error
 * naming file and line. Lab rows of wanted bots (role "good-bot": verified crawlers, feed readers) are left out, as
 * Postgres labels of good bots are (escalation never blocks them by rule); `setAside` counts them.
 */
export function loadSeedRows(path: string, setAside: { goodBots: number } = { goodBots: 0 }): TrainingRow[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line, i): TrainingRow[] => {
      const parsed = SeedLineSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${path}:${i + 1}: ${z.prettifyError(parsed.error)}`);
      const { label, kind, report, history, source, client, role, escalation } = parsed.data;
      if (role === "good-bot") {
        setAside.goodBots++;
        return [];
      }
      const entries = history.map(([dt, p], j) => ({ id: `${report.id}:h${j}`, at: report.at + dt, path: p }));
      const group = source === "lab" ? `lab:${client ?? report.ip}` : `seed:${report.id}`;
      const row = { label, kind, group, source, report, history: historyBefore(report, entries) };
      return [escalation === undefined ? row : { ...row, liveScore: escalation.score }];
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

/** The fold (0 … folds − 1) of a group, deterministically: every row of one client lands in the same fold. */
export function foldOf(group: string, folds: number, seed: number): number {
  return fnv1a(`${seed}:fold:${group}`) % folds;
}
