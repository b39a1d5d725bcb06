import { withDb } from "../../adapters/db/client";
import { readActiveChain } from "../../adapters/db/markov";
import { buildChain, chainFromTransitions, type MarkovChain } from "../../core/markov";
import type { TarpitEnv } from "./env";
import { FALLBACK_CORPUS } from "./fallback-corpus";

/** After a failed load, the isolate serves the bundled chain this long before it tries Postgres again. */
export const DB_RETRY_MS = 60_000;
/** A load slower than this counts as a fault: a scraper waits, but not for a stuck database. */
export const DB_LOAD_TIMEOUT_MS = 10_000;

/** The chain a page is written from, and where it came from. */
export interface LoadedChain {
  readonly chain: MarkovChain;
  readonly source: "postgres" | "fallback";
  readonly modelId: number | null;
}

/** What this isolate has seen: exposed by the Worker's `stats()` RPC method. */
export interface TarpitStats {
  readonly source: "postgres" | "fallback" | "none";
  readonly modelId: number | null;
  /** Loads from Postgres attempted, and how many failed (unreachable, timed out, or no active model). */
  readonly loads: number;
  readonly faults: number;
  readonly lastFault: string | null;
}

interface Entry {
  readonly promise: Promise<LoadedChain>;
  loaded?: LoadedChain;
  retryAt: number;
}

/**
 * The isolate's Markov chains (part of its state, state.ts): a chain is read once per isolate (and database/corpus),
 * then every page costs zero queries; the bundled chain stands in while Postgres cannot answer.
 */
export class ChainSource {
  readonly #entries = new Map<string, Entry>();
  #fallback: MarkovChain | undefined;
  #latest: LoadedChain | undefined;
  #loads = 0;
  #faults = 0;
  #lastFault: string | null = null;

  /**
   * The chain of `corpus` (a site's; null: the deployment's `MARKOV_CORPUS`, else "default"): cached; loaded from
   * Postgres on first use, or the bundled one if that fails.
   */
  chainFor(env: TarpitEnv, now: number, siteCorpus: string | null = null): Promise<LoadedChain> {
    const corpus = siteCorpus ?? (env.MARKOV_CORPUS || "default");
    const key = `${env.DATABASE_URL ?? ""}\u0000${env.NEON_LOCAL_PROXY ?? ""}\u0000${corpus}`;
    const cached = this.#entries.get(key);
    if (cached !== undefined && (cached.loaded?.source !== "fallback" || now < cached.retryAt)) return cached.promise;
    const entry: Entry = {
      promise: this.#load(env, corpus).then((loaded) => {
        entry.loaded = this.#latest = loaded;
        entry.retryAt = Date.now() + DB_RETRY_MS;
        return loaded;
      }),
      retryAt: 0,
    };
    this.#entries.set(key, entry);
    return entry.promise;
  }

  /** Counters of this isolate. */
  stats(): TarpitStats {
    return {
      source: this.#latest?.source ?? "none",
      modelId: this.#latest?.modelId ?? null,
      loads: this.#loads,
      faults: this.#faults,
      lastFault: this.#lastFault,
    };
  }

  async #load(env: TarpitEnv, corpus: string): Promise<LoadedChain> {
    this.#loads++;
    try {
      const stored = await withTimeout(
        withDb(env, (db) => readActiveChain(db, corpus)),
        DB_LOAD_TIMEOUT_MS,
      );
      if (stored === null || stored.transitions.length === 0) return this.#degrade(`corpus "${corpus}" has no active model`);
      return { chain: chainFromTransitions(stored.order, stored.transitions), source: "postgres", modelId: stored.modelId };
    } catch (error) {
      return this.#degrade(describe(error));
    }
  }

  #degrade(reason: string): LoadedChain {
    this.#faults++;
    this.#lastFault = reason;
    console.error(JSON.stringify({ msg: "tarpit serves the bundled chain", reason, faults: this.#faults }));
    this.#fallback ??= buildChain(FALLBACK_CORPUS);
    return { chain: this.#fallback, source: "fallback", modelId: null };
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  // The neon driver rejects a failed WebSocket connect with the ErrorEvent itself.
  if (typeof error === "object" && error !== null && "message" in error) return `${error.constructor.name}: ${String(error.message)}`;
  return String(error);
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Postgres within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
