import { BlocklistStore, type BlocklistBindings } from "../../../adapters/blocklist-store";
import type { BlocklistEntry } from "../../../core/blocklist-entry";
import type { VettedEntry } from "../../../core/peers/vet";

/** A held entry is rewritten only when the new expiry is this much later: a feed seen again costs no KV write. */
export const REFRESH_SLACK_MS = 60 * 60_000;

/** Entries written at once (one RangeIndex call for the networks among them). */
const KV_BATCH = 50;

/** The peer whose entries are applied. */
export interface ApplyingPeer {
  readonly name: string;
  readonly action: BlocklistEntry["action"];
}

/** What applying did: how many were written, already current, or left alone because a local entry was there. */
export interface ApplyOutcome {
  readonly applied: number;
  readonly unchanged: number;
  readonly kept: number;
  /** Keys written, with their new expiry (epoch ms), for `peer_entries`. */
  readonly written: { key: string; expiresAt: number }[];
}

/** The reason text of a peer's entry: names the peer, so an operator can see (and purge) where a block came from. */
export function peerReason(peerName: string, reason: string): string {
  return `peer ${peerName}: ${reason}`.slice(0, 200);
}

/**
 * Writes vetted entries with `source: "peer"` and a bounded TTL (`ip:` to KV, networks to the RangeIndex). Never
 * overwrites an entry another source wrote (escalation, an operator, the edge, another peer); skips ones held
 * with the same expiry.
 */
export async function applyEntries(
  env: BlocklistBindings,
  peer: ApplyingPeer,
  vetted: readonly VettedEntry[],
  held: ReadonlyMap<string, number>,
  now: number,
): Promise<ApplyOutcome> {
  let unchanged = 0;
  let kept = 0;
  const written: { key: string; expiresAt: number }[] = [];
  const todo = vetted.filter((v) => {
    const heldUntil = held.get(v.key);
    const current = heldUntil !== undefined && heldUntil >= now + v.ttlSeconds * 1000 - REFRESH_SLACK_MS;
    if (current) unchanged++;
    return !current;
  });
  const store = new BlocklistStore(env, "peer");
  for (let i = 0; i < todo.length; i += KV_BATCH) {
    const batch = todo.slice(i, i + KV_BATCH);
    const writes = batch.map((v) => {
      const entry: BlocklistEntry = {
        action: peer.action,
        reason: peerReason(peer.name, v.entry.reason),
        source: "peer",
        score: v.entry.confidence,
        at: now,
      };
      return { key: v.key, entry, ttlSeconds: v.ttlSeconds };
    });
    const outcome = await store.put(writes, now, { peer: peer.name });
    kept += outcome.kept.length;
    const done = new Set(outcome.written);
    for (const v of batch) if (done.has(v.key)) written.push({ key: v.key, expiresAt: now + v.ttlSeconds * 1000 });
  }
  return { applied: written.length, unchanged, kept, written };
}
