import { withDb, type Db, type DbEnv } from "../../../adapters/db/client";
import { AppError } from "../../../adapters/http";

function sqlState(error: unknown): string | null {
  const seen = new Set<unknown>();
  let e: unknown = error;
  // drizzle wraps the driver's error; the SQLSTATE is on the cause.
  while (typeof e === "object" && e !== null && !seen.has(e)) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * Runs `fn` on Postgres. An unreachable database is 503 `database_unavailable`; a unique violation is 409
 * `conflict`; AppErrors pass through; other SQL errors are bugs (500).
 */
export async function db<T>(env: DbEnv, fn: (db: Db) => Promise<T>): Promise<T> {
  try {
    return await withDb(env, fn);
  } catch (error) {
    if (error instanceof AppError) throw error;
    const state = sqlState(error);
    if (state === "23505") throw new AppError(409, "conflict", "that already exists", { cause: error });
    if (state !== null) throw error;
    throw new AppError(503, "database_unavailable", "the admin database is not reachable; check DATABASE_URL", { cause: error });
  }
}

/** A connection or a transaction: what store functions run their queries on. */
export type Conn = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];
