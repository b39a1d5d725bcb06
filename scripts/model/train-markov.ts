/**
 * Trains a Markov corpus into Postgres: `npm run train:markov -- <files or folders> [--corpus NAME] [--order 2]`.
 *
 * Where it writes:
 * - DATABASE_URL set: that database, through the neon driver (also via the local proxy when NEON_LOCAL_PROXY is set).
 * - otherwise the dev stack's embedded database (.state/postgres): through the running dev stack's proxy if
 *   `npm run dev` is up (it advertises itself in .state/postgres.endpoint.json), else by opening the files
 *   directly (PGlite allows one process at a time, so never while the dev stack runs: the endpoint file decides).
 *
 * Bad input (missing, empty, binary, non-UTF-8) is rejected before anything is written; the active model stays.
 */
import { parseArgs } from "node:util";
import { DEFAULT_MARKOV_ORDER } from "../../core/markov";
import { CorpusInputError, readCorpusFiles } from "../../dev/corpus-files";
import { CorpusNameSchema } from "../../core/sites";
import { countCorpus, storeMarkovModel } from "../../dev/markov-store";
import { DEFAULT_MARKOV_CORPUS } from "../../dev/postgres";
import { withPostgresSession } from "../../dev/postgres-session";

const log = (line: string): void => console.log(`[train-markov] ${line}`);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      corpus: { type: "string", default: DEFAULT_MARKOV_CORPUS },
      order: { type: "string", default: String(DEFAULT_MARKOV_ORDER) },
    },
  });
  const order = Number(values.order);
  if (!Number.isInteger(order) || order < 1 || order > 5)
    throw new CorpusInputError(`--order must be an integer from 1 to 5, got ${values.order}`);
  const name = CorpusNameSchema.safeParse(values.corpus);
  if (!name.success) throw new CorpusInputError(`--corpus: ${name.error.issues[0]?.message ?? "invalid"}, got ${values.corpus}`);

  const files = readCorpusFiles(positionals);
  log(`read ${files.length} file(s), ${files.reduce((sum, f) => sum + f.text.length, 0)} characters`);
  const counted = countCorpus(
    files.map((f) => f.text),
    order,
    log,
  );
  if (counted.tokens === 0) throw new CorpusInputError(`no words found in ${positionals.join(", ")}`);
  await withPostgresSession("writing to", log, (session) => storeMarkovModel(session, values.corpus, counted, { log }));
}

main().catch((error: unknown) => {
  if (error instanceof CorpusInputError) console.error(`[train-markov] rejected: ${error.message} (the active model is unchanged)`);
  else console.error("[train-markov] failed (the active model is unchanged):", error);
  process.exitCode = 1;
});
