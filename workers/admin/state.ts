import type { JWTVerifyGetKey } from "jose";
import { LruMap } from "../../core/lru";
import type { AdminConfig } from "./config";
import { createPeersState, type PeersState } from "./peers/state";
import { SafetyLoader } from "./store/safety";

/** Access key sets kept: one per team domain (a deploy has one; the cap only bounds a misconfiguration). */
export const MAX_ACCESS_KEY_SETS = 4;

/**
 * Everything admin keeps between requests in one isolate. Made once by the Worker entry (index.ts) and passed
 * explicitly: to the app (a request reads it as `c.var.state`), the peer routes and the Cron sync. Nothing else in
 * workers/admin holds mutable module state; a test makes its own with `createAdminState()`.
 */
export interface AdminState {
  /** Access certs URL → its remote JWKS (jose caches and refreshes the keys inside it). */
  readonly accessKeySets: LruMap<string, JWTVerifyGetKey>;
  /** The parsed vars per env object (the runtime passes the same env to every request of an isolate). */
  readonly configs: WeakMap<object, AdminConfig>;
  /** Reserved ranges, allow-list and crawler ranges for new blocks (the crawler index is built once). */
  readonly safety: SafetyLoader;
  readonly peers: PeersState;
  /** Dev only: the dev login was written to Postgres (DEV_MODE=on), so later logins skip the upsert. */
  devUserEnsured: boolean;
}

/** A fresh, empty state. */
export function createAdminState(): AdminState {
  const safety = new SafetyLoader();
  return {
    accessKeySets: new LruMap(MAX_ACCESS_KEY_SETS),
    configs: new WeakMap(),
    safety,
    peers: createPeersState(safety),
    devUserEnsured: false,
  };
}
