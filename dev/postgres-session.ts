import { existsSync, readFileSync } from "node:fs";
import { Pool, neonConfig } from "@neondatabase/serverless";
import ws from "ws";
import { configureNeon } from "../adapters/db/client";
import type { SqlSession } from "./markov-store";
import { DEV_POSTGRES_DIR, endpointFileOf, openLocalDatabase } from "./postgres";

type Target = { readonly databaseUrl: string; readonly neonLocalProxy?: string } | null;

/**
 * Where a command-line tool reaches Postgres: DATABASE_URL (through NEON_LOCAL_PROXY when set), else the running
 * dev stack's database (it advertises itself in .state/postgres.endpoint.json), else null: the dev database
 * files, opened directly (PGlite allows one process at a time, so never while the dev stack runs).
 */
function resolveTarget(): Target {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) return { databaseUrl, neonLocalProxy: process.env.NEON_LOCAL_PROXY || undefined };
  const file = endpointFileOf(DEV_POSTGRES_DIR);
  if (!existsSync(file)) return null;
  const endpoint = JSON.parse(readFileSync(file, "utf8")) as { databaseUrl: string; neonLocalProxy: string; pid: number };
  try {
    process.kill(endpoint.pid, 0); // is the dev stack that wrote it still alive?
    return endpoint;
  } catch {
    return null;
  }
}

/** A connection string with its password hidden, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

/** Runs `fn` with one session on the database `resolveTarget` picks, logging where (`verb`: "reading", "writing to"). */
export async function withPostgresSession<T>(
  verb: string,
  log: (line: string) => void,
  fn: (session: SqlSession) => Promise<T>,
): Promise<T> {
  const target = resolveTarget();
  if (target === null) {
    log(`${verb} ${DEV_POSTGRES_DIR} directly (no DATABASE_URL, and the dev stack is not running)`);
    const pg = await openLocalDatabase(DEV_POSTGRES_DIR);
    try {
      return await fn(pg);
    } finally {
      await pg.close();
    }
  }
  neonConfig.webSocketConstructor = ws;
  configureNeon(target.neonLocalProxy);
  log(`${verb} ${redactUrl(target.databaseUrl)}${target.neonLocalProxy ? ` via ${target.neonLocalProxy}` : ""}`);
  const pool = new Pool({ connectionString: target.databaseUrl, max: 1 });
  const client = await pool.connect();
  try {
    return await fn({ query: async <R>(text: string, params?: unknown[]) => ({ rows: (await client.query(text, params)).rows as R[] }) });
  } finally {
    client.release();
    await pool.end();
  }
}
