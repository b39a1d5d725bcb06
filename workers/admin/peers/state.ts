import { LruMap } from "../../../core/lru";
import type { SafetyLoader } from "../store/safety";
import type { SigningKey } from "./keys";

/** Pushes one client address may make per minute (per isolate): a peer pushes a batch now and then, not a stream. */
export const PUSH_RATE_PER_MINUTE = 30;
const PUSH_WINDOW_MS = 60_000;
/** Addresses whose push counts are kept: bounds the isolate's memory under a spray from many addresses. */
export const MAX_TRACKED_PUSHERS = 10_000;
/** Built feeds kept, one per issuer and key: a deploy has one or two; the issuer may come from the Host header. */
export const MAX_CACHED_FEEDS = 16;
/** Parsed signing keys kept (one per PEER_SIGNING_JWK value: one, or two during a rotation). */
export const MAX_SIGNING_KEYS = 4;

/** Push counts per address, per minute. */
export class PushLimiter {
  readonly #counts = new LruMap<string, { windowStart: number; n: number }>(MAX_TRACKED_PUSHERS);

  /** Counts a push from `ip`; false when it is over PUSH_RATE_PER_MINUTE in the current minute. */
  allowed(ip: string, now: number): boolean {
    const seen = this.#counts.get(ip);
    if (seen === undefined || now - seen.windowStart >= PUSH_WINDOW_MS) {
      this.#counts.set(ip, { windowStart: now, n: 1 });
      return true;
    }
    seen.n++;
    return seen.n <= PUSH_RATE_PER_MINUTE;
  }
}

/** A signed feed as built, and when (ms). */
export interface CachedFeed {
  readonly jws: string;
  readonly at: number;
}

/** Peering's per-isolate values (part of admin's AdminState), passed to the peer routes and the Cron sync. */
export interface PeersState {
  /** PEER_SIGNING_JWK text → the parsed key (a promise, so concurrent first requests parse once). */
  readonly signingKeys: LruMap<string, Promise<SigningKey>>;
  /** `issuer \0 kid` → the feed built last. */
  readonly feedCache: LruMap<string, CachedFeed>;
  readonly pushes: PushLimiter;
  /** Admin's safety loader: peer entries are checked as an operator's block is. */
  readonly safety: SafetyLoader;
}

/** Empty peering state around admin's safety loader. */
export function createPeersState(safety: SafetyLoader): PeersState {
  return {
    signingKeys: new LruMap(MAX_SIGNING_KEYS),
    feedCache: new LruMap(MAX_CACHED_FEEDS),
    pushes: new PushLimiter(),
    safety,
  };
}
