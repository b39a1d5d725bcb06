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
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Pool, neonConfig } from "@neondatabase/serverless";
import ws from "ws";
import { DEFAULT_MARKOV_ORDER } from "../core/markov";
import { CorpusInputError, readCorpusFiles } from "../dev/corpus-files";
import { countCorpus, storeMarkovModel, type SqlSession } from "../dev/markov-store";
import { DEFAULT_MARKOV_CORPUS, DEV_POSTGRES_DIR, endpointFileOf, openLocalDatabase } from "../dev/postgres";

const log = (line: string): void => console.log(`[train-markov] ${line}`);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { corpus: { type: "string", default: DEFAULT_MARKOV_CORPUS }, order: { type: "string", default: String(DEFAULT_MARKOV_ORDER) } },
  });
  const order = Number(values.order);
  if (!Number.isInteger(order) || order < 1 || order > 5) throw new CorpusInputError(`--order must be an integer from 1 to 5, got ${values.order}`);
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(values.corpus)) throw new CorpusInputError(`--corpus must match [a-z0-9][a-z0-9_-]*, got ${values.corpus}`);

  const files = readCorpusFiles(positionals);
  log(`read ${files.length} file(s), ${files.reduce((sum, f) => sum + f.text.length, 0)} characters`);
  const counted = countCorpus(
    files.map((f) => f.text),
    order,
    log,
  );
  if (counted.tokens === 0) throw new CorpusInputError(`no words found in ${positionals.join(", ")}`);
  await withSession((session) => storeMarkovModel(session, values.corpus, counted, { log }));
}

async function withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
  const target = resolveTarget();
  if (target.kind === "files") {
    log(`writing to ${DEV_POSTGRES_DIR} directly (the dev stack is not running)`);
    const pg = await openLocalDatabase(DEV_POSTGRES_DIR);
    try {
      return await fn(pg);
    } finally {
      await pg.close();
    }
  }
  neonConfig.webSocketConstructor = ws;
  if (target.neonLocalProxy) {
    const proxy = target.neonLocalProxy;
    neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineConnect = false;
    neonConfig.pipelineTLS = false;
  }
  log(`writing to ${redact(target.databaseUrl)}${target.neonLocalProxy ? ` via ${target.neonLocalProxy}` : ""}`);
  const pool = new Pool({ connectionString: target.databaseUrl, max: 1 });
  const client = await pool.connect();
  try {
    return await fn({ query: async <R>(text: string, params?: unknown[]) => ({ rows: (await client.query(text, params)).rows as R[] }) });
  } finally {
    client.release();
    await pool.end();
  }
}

type Target = { readonly kind: "neon"; readonly databaseUrl: string; readonly neonLocalProxy?: string } | { readonly kind: "files" };

function resolveTarget(): Target {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) return { kind: "neon", databaseUrl, neonLocalProxy: process.env.NEON_LOCAL_PROXY || undefined };
  const file = endpointFileOf(DEV_POSTGRES_DIR);
  if (existsSync(file)) {
    const endpoint = JSON.parse(readFileSync(file, "utf8")) as { databaseUrl: string; neonLocalProxy: string; pid: number };
    if (isAlive(endpoint.pid)) return { kind: "neon", databaseUrl: endpoint.databaseUrl, neonLocalProxy: endpoint.neonLocalProxy };
  }
  return { kind: "files" };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

main().catch((error: unknown) => {
  if (error instanceof CorpusInputError) console.error(`[train-markov] rejected: ${error.message} (the active model is unchanged)`);
  else console.error("[train-markov] failed (the active model is unchanged):", error);
  process.exitCode = 1;
});
