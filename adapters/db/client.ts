import { Pool, neonConfig } from "@neondatabase/serverless";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import * as schema from "./schema";

/** The bindings a Worker needs to reach Postgres. */
export interface DbEnv {
  /** A Neon (or any Postgres) connection string. A secret in production. */
  readonly DATABASE_URL?: string;
  /** Local dev only: `host:port` of the WebSocket→TCP proxy in front of the embedded Postgres. Empty in production. */
  readonly NEON_LOCAL_PROXY: string;
}

export type Db = NeonDatabase<typeof schema>;

/** Postgres is not configured or not reachable: callers degrade (fail open) instead of answering 500. */
export class DbUnavailableError extends Error {
  override readonly name = "DbUnavailableError";
}

/** Points the neon driver at the local WebSocket proxy (no TLS, no pipelining); a no-op in production (no proxy). */
export function configureNeon(localProxy: string | undefined): void {
  if (!localProxy) return;
  // The embedded dev database sits behind a plain ws:// proxy on loopback: no TLS, and no pipelined
  // connect (the local server rejects the pipelined SASL start; see ../shared/PLATFORM.md).
  neonConfig.wsProxy = (host, port) => `${localProxy}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
}

/**
 * Runs `fn` with a drizzle handle on a fresh single-connection pool, closed afterwards.
 * Workers cannot keep a socket across requests, so a connection lives for one unit of work.
 */
export async function withDb<T>(env: DbEnv, fn: (db: Db) => Promise<T>): Promise<T> {
  if (!env.DATABASE_URL) throw new DbUnavailableError("DATABASE_URL is not set");
  configureNeon(env.NEON_LOCAL_PROXY);
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 1 });
  // A socket can fail again after its connect already failed (workerd: "Network connection lost"); pg-pool
  // re-emits that on the pool, and an 'error' event without a listener is an uncaught exception.
  pool.on("error", () => {});
  try {
    return await fn(drizzle({ client: pool, schema }));
  } finally {
    await pool.end();
  }
}
