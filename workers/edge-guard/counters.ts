import { LruMap } from "../../core/lru";
import { SlidingWindow, type WindowCounts } from "../../core/sliding-window";
import type { ClientLedger, HitKind, LedgerCounts } from "../../durable-objects/client-ledger";
import { FLUSH_INTERVAL_MS, FLUSH_MIN_PER_MINUTE } from "../../core/counter-flush";

/** Keys tracked in one isolate before idle ones are dropped. */
export const MAX_KEYS = 20_000;

interface KeyState {
  /** Only the kinds this key was hit with (most keys see one or two). */
  readonly local: Partial<Record<HitKind, SlidingWindow>>;
  pending: Partial<Record<HitKind, number>>;
  /** Counts across all isolates at the last flush (our own flushed hits included). */
  global: LedgerCounts | null;
  lastFlush: number;
  /** Synced because a request of this key was under suspicion: flushed from then on, busy or not. */
  suspect: boolean;
}

const EMPTY: WindowCounts = { m1: 0, m10: 0 };

/**
 * Rate counters kept in isolate memory and flushed in batches to ClientLedger Durable Objects off the
 * response path, so the allow path never waits for storage. A client under suspicion can be synced
 * exactly (`sync`), which awaits its ledger.
 */
export class Counters {
  /** Least recently hit keys are dropped past MAX_KEYS (their unflushed hits with them: counted in `size().evicted`). */
  readonly #keys = new LruMap<string, KeyState>(MAX_KEYS);
  /** Keys with hits not yet flushed: `due` looks only at these, not at every key the isolate knows. */
  readonly #pending = new Set<string>();
  #nextDueCheck = 0;

  /** Counts one hit of `kind` for each key at `at`. */
  hit(keys: readonly string[], kind: HitKind, at: number): void {
    for (const key of keys) {
      const state = this.#state(key);
      (state.local[kind] ??= new SlidingWindow()).add(at);
      state.pending[kind] = (state.pending[kind] ?? 0) + 1;
      this.#pending.add(key);
    }
  }

  /** The best known counts of one key and kind: local hits, or the global view plus what is not yet flushed. */
  read(key: string, kind: HitKind, at: number): WindowCounts {
    const state = this.#keys.peek(key);
    if (state === undefined) return EMPTY;
    const local = state.local[kind]?.counts(at) ?? EMPTY;
    const global = state.global?.[kind];
    if (global === undefined) return local;
    const unflushed = state.pending[kind] ?? 0;
    return { m1: Math.max(local.m1, global.m1 + unflushed), m10: Math.max(local.m10, global.m10 + unflushed) };
  }

  /** Keys whose pending hits are due for a flush at `at`. Scans at most four times a second. */
  due(at: number): string[] {
    if (at < this.#nextDueCheck) return [];
    this.#nextDueCheck = at + FLUSH_INTERVAL_MS / 4;
    const out: string[] = [];
    for (const key of this.#pending) {
      const state = this.#keys.peek(key);
      if (state === undefined) this.#pending.delete(key);
      else if (!state.suspect && (state.local.req?.counts(at).m1 ?? 0) < FLUSH_MIN_PER_MINUTE && (state.pending.tarpit ?? 0) === 0) {
        // A quiet key: its hits stay in the local window (`read` takes the larger of local and global) and are never sent.
        state.pending = {};
        this.#pending.delete(key);
      } else if (at - state.lastFlush >= FLUSH_INTERVAL_MS) out.push(key);
    }
    return out;
  }

  /**
   * Sends one key's pending hits to its ledger and takes the global counts it answers. Throws on a ledger fault.
   * `suspect`: the sync is for a request under suspicion, so the key stays flushed from now on.
   */
  async sync(key: string, ledgers: DurableObjectNamespace<ClientLedger>, at: number, suspect = false): Promise<void> {
    const state = this.#keys.peek(key);
    if (state === undefined) return;
    if (suspect) state.suspect = true;
    const deltas = state.pending;
    state.pending = {};
    state.lastFlush = at;
    this.#pending.delete(key);
    try {
      state.global = await ledgers.getByName(key).add(at, deltas);
    } catch (error) {
      // Put the hits back so they are not lost; the next flush retries them.
      for (const kind of Object.keys(deltas) as HitKind[]) state.pending[kind] = (state.pending[kind] ?? 0) + (deltas[kind] ?? 0);
      this.#pending.add(key);
      throw error;
    }
  }

  /** Keys tracked now, and keys dropped (least recently hit) to stay under MAX_KEYS since the isolate started. */
  size(): { keys: number; evicted: number } {
    return { keys: this.#keys.size, evicted: this.#keys.evictions };
  }

  #state(key: string): KeyState {
    let state = this.#keys.get(key);
    if (state === undefined) {
      state = {
        local: {},
        pending: {},
        global: null,
        lastFlush: 0,
        suspect: false,
      };
      this.#keys.set(key, state);
    }
    return state;
  }
}
