import { DEFAULT_MARKOV_ORDER, countTransitions, transitionsOf, type Transition, type TransitionCounts } from "../core/markov";
import { createProgress } from "./progress";

/** One Postgres session: PGlite itself, or one client checked out of a neon/pg Pool (BEGIN…COMMIT must share it). */
export interface SqlSession {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** A corpus counted in memory, ready to store. */
export interface CountedCorpus {
  readonly order: number;
  readonly tokens: number;
  readonly counts: TransitionCounts;
}

/** What a stored model replaced. */
export interface StoredModel {
  readonly modelId: number;
  readonly previousModelId: number | null;
  readonly transitions: number;
  readonly tokens: number;
}

/** Rows per INSERT … SELECT FROM unnest(): the batch size measured fast in ../shared/PLATFORM.md. */
export const MARKOV_BATCH_ROWS = 50_000;

/** Texts are counted in slices of this many characters, so progress lines come even for one huge file. */
const COUNT_SLICE_CHARS = 256 * 1024;

/** Counts the transitions of several texts into one chain; `log` gets progress lines with rate and ETA. */
export function countCorpus(texts: readonly string[], order: number = DEFAULT_MARKOV_ORDER, log?: (line: string) => void): CountedCorpus {
  const started = performance.now();
  const counts: TransitionCounts = new Map();
  const totalChars = texts.reduce((sum, text) => sum + text.length, 0);
  const progress = createProgress(totalChars, log ?? (() => {}), { label: "counting", unit: "chars", rateUnit: "tokens" });
  let tokens = 0;
  let chars = 0;
  for (const text of texts) {
    for (const slice of paragraphSlices(text)) {
      tokens += countTransitions(counts, slice, order);
      chars += slice.length;
      progress.update(chars, tokens);
    }
  }
  progress.finish(chars, tokens);
  const seconds = (performance.now() - started) / 1000;
  log?.(`tokenised ${tokens} tokens into ${counts.size} prefixes in ${seconds.toFixed(2)} s (${rate(tokens, seconds)} tokens/s)`);
  return { order, tokens, counts };
}

/** A text cut at paragraph breaks (blank lines) into slices of about COUNT_SLICE_CHARS: sentences never span a break. */
function* paragraphSlices(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n\n", start + COUNT_SLICE_CHARS);
    if (end === -1) end = text.length;
    yield text.slice(start, end);
    start = end;
  }
}

/**
 * Stores a counted corpus as a new model and makes it the corpus's active one.
 * Rows are written first (invisible: nothing points at the model yet), then `markov_active` is switched in one
 * statement inside a transaction, then the replaced model is deleted. On failure the new rows are removed and
 * the active model is left as it was.
 */
export async function storeMarkovModel(
  session: SqlSession,
  corpus: string,
  counted: CountedCorpus,
  options: { readonly batchRows?: number; readonly log?: (line: string) => void } = {},
): Promise<StoredModel> {
  if (counted.counts.size === 0) throw new Error(`corpus "${corpus}" has no transitions: refusing to replace its model`);
  const log = options.log ?? (() => {});
  const batchRows = options.batchRows ?? MARKOV_BATCH_ROWS;
  const created = await session.query<{ id: number }>(
    `INSERT INTO markov_models (corpus, "order", tokens) VALUES ($1, $2, $3) RETURNING id`,
    [corpus, counted.order, counted.tokens],
  );
  const modelId = created.rows[0]?.id;
  if (modelId === undefined) throw new Error("INSERT INTO markov_models returned no id");
  try {
    let total = 0;
    for (const nexts of counted.counts.values()) total += nexts.size;
    const transitions = await insertTransitions(session, modelId, transitionsOf(counted.counts), total, batchRows, log);
    const previousModelId = await activate(session, corpus, modelId);
    // The old model and any model orphaned by an earlier, interrupted run (older, never activated).
    await session.query(`DELETE FROM markov_models WHERE corpus = $1 AND id < $2 AND id NOT IN (SELECT model_id FROM markov_active)`, [
      corpus,
      modelId,
    ]);
    log(
      `corpus "${corpus}" now serves model ${modelId} (${transitions} transitions${previousModelId === null ? "" : `, replaced model ${previousModelId}`})`,
    );
    return { modelId, previousModelId, transitions, tokens: counted.tokens };
  } catch (error) {
    await session
      .query(`DELETE FROM markov_models WHERE id = $1 AND id NOT IN (SELECT model_id FROM markov_active)`, [modelId])
      .catch(() => {});
    throw error;
  }
}

/** The active model's id of a corpus, or null. */
export async function activeModelId(session: SqlSession, corpus: string): Promise<number | null> {
  const result = await session.query<{ model_id: number }>(`SELECT model_id FROM markov_active WHERE corpus = $1`, [corpus]);
  return result.rows[0]?.model_id ?? null;
}

async function insertTransitions(
  session: SqlSession,
  modelId: number,
  rows: Iterable<Transition>,
  expected: number,
  batchRows: number,
  log: (line: string) => void,
): Promise<number> {
  const progress = createProgress(expected, log, { label: "loading", unit: "transitions", rateUnit: "rows", intervalMs: 0 });
  let total = 0;
  let prefixes: string[] = [];
  let nexts: string[] = [];
  let weights: number[] = [];
  const flush = async (): Promise<void> => {
    if (prefixes.length === 0) return;
    await session.query(
      `INSERT INTO markov_transitions (model_id, prefix, next, weight) SELECT $1::int, * FROM unnest($2::text[], $3::text[], $4::int[])`,
      [modelId, prefixes, nexts, weights],
    );
    total += prefixes.length;
    prefixes = [];
    nexts = [];
    weights = [];
    progress.update(total);
  };
  for (const row of rows) {
    prefixes.push(row.prefix);
    nexts.push(row.next);
    weights.push(row.weight);
    if (prefixes.length >= batchRows) await flush();
  }
  await flush();
  return total;
}

async function activate(session: SqlSession, corpus: string, modelId: number): Promise<number | null> {
  await session.query("BEGIN");
  try {
    // The lock keeps two trainers of one corpus from both reading the same predecessor; the switch itself is
    // the single upsert, so readers see the old model or the new one, never a mix.
    const previous = await session.query<{ model_id: number }>(`SELECT model_id FROM markov_active WHERE corpus = $1 FOR UPDATE`, [corpus]);
    await session.query(
      `INSERT INTO markov_active (corpus, model_id) VALUES ($1, $2) ON CONFLICT (corpus) DO UPDATE SET model_id = excluded.model_id`,
      [corpus, modelId],
    );
    await session.query("COMMIT");
    return previous.rows[0]?.model_id ?? null;
  } catch (error) {
    await session.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

function rate(count: number, seconds: number): string {
  return seconds > 0 ? Math.round(count / seconds).toLocaleString("en-US") : "∞";
}
