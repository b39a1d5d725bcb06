import type { DbEnv } from "../../adapters/db/client";

/** tarpit's bindings (see workers/tarpit/wrangler.toml). DATABASE_URL is a secret; NEON_LOCAL_PROXY is local-only. */
export interface TarpitEnv extends DbEnv {
  /** Which trained Markov corpus the maze is written from ("default" when empty). */
  readonly MARKOV_CORPUS: string;
  /** Optional salt of the page seeds, so nobody can precompute the maze off-site. */
  readonly LABYRINTH_SECRET?: string;
}
