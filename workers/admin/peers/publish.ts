import { withDb } from "../../../adapters/db/client";
import { FEED_JWS_TYPE, MAX_FEED_ENTRIES, PEER_FEED_VERSION, PUSH_JWS_TYPE, type FeedEntry, type PeerPush } from "../../../core/peers/feed";
import { buildFeed, publishableEntries } from "../../../core/peers/publish";
import type { PeersConfig, PeersEnv } from "./env";
import { signJws, type SigningKey } from "./keys";
import { publishableRows } from "./store";

/** Our feed, signed: escalation's confident blocks (see `publishableRows`), newest first. */
export async function signedFeed(env: PeersEnv, config: PeersConfig, key: SigningKey, issuer: string, now: number): Promise<string> {
  const rows = await withDb(env, (db) =>
    publishableRows(db, {
      minConfidence: config.publishMinConfidence,
      since: now - config.publishTtlSeconds * 1000,
      now,
      republish: config.republish,
      max: MAX_FEED_ENTRIES,
    }),
  );
  const entries = publishableEntries(rows.ips, rows.prefixes, config.publishTtlSeconds, MAX_FEED_ENTRIES);
  return signJws(key, FEED_JWS_TYPE, buildFeed(issuer, now, entries));
}

/** A signed push of `entries` for the deployment whose issuer is `audience` (what a peer POSTs to /api/peers/push). */
export function signedPush(key: SigningKey, issuer: string, audience: string, entries: readonly FeedEntry[], now: number): Promise<string> {
  const push: PeerPush = { version: PEER_FEED_VERSION, issuer, audience, issuedAt: now, entries: [...entries] };
  return signJws(key, PUSH_JWS_TYPE, push);
}
