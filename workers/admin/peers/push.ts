import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { withDb } from "../../../adapters/db/client";
import { peers } from "../../../adapters/db/schema";
import { PUSH_JWS_TYPE, PeerPublicJwkSchema, PeerPushSchema } from "../../../core/peers/feed";
import { fail, ok, type Result } from "../../../core/result";
import type { SafetyLoader } from "../store/safety";
import type { PeersEnv } from "./env";
import { ingest, recordStatus, type IngestOutcome } from "./ingest";
import { jwsKeyId, verifyPeerJws } from "./keys";
import { findPeerByKid, type PeerRow } from "./store";
import { CLOCK_SKEW_MS, MAX_RUN_ENTRIES } from "./sync";

/** Why a push was refused: an HTTP status and a public code. */
export interface PushRefusal {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly message: string;
}

const refuse = (status: ContentfulStatusCode, code: string, message: string) => fail<PushRefusal>({ status, code, message });

/**
 * Takes a batch a peer signed with its own (pinned) key: found by the JWS `kid`, verified, addressed to us
 * (`audience`), fresh (issuedAt within the clock skew) and newer than its last push; then the same vetting as a feed.
 * A refusal is recorded on the peer only once the signature is its own.
 */
export async function receivePush(
  env: PeersEnv,
  safetyLoader: SafetyLoader,
  jws: string,
  ourIssuer: string,
  devMode: boolean,
  now: number,
): Promise<Result<IngestOutcome, PushRefusal>> {
  const kid = jwsKeyId(jws);
  if (kid === null) return refuse(400, "malformed_jws", "send a compact JWS whose header names the key (kid)");
  const peer = await withDb(env, (db) => findPeerByKid(db, kid));
  const jwk = PeerPublicJwkSchema.safeParse(peer?.publicJwk);
  if (peer === null || peer.kind !== "edge-guard" || !jwk.success) return refuse(401, "unknown_key", `no enabled peer has the key ${kid}`);
  const refused = async (status: ContentfulStatusCode, code: string, message: string) => {
    await recordStatus(env, peer, "push", code, message, now);
    return refuse(status, code, message);
  };
  const verified = await verifyPeerJws(jws, jwk.data, kid, PUSH_JWS_TYPE);
  if (!verified.ok) {
    // Anyone can name a peer's key id: until the signature verifies, nothing is written and the peer's status stays.
    const signedByPeer = verified.error.code === "wrong_type" || verified.error.code === "malformed_payload";
    return signedByPeer
      ? refused(401, verified.error.code, verified.error.message)
      : refuse(401, verified.error.code, verified.error.message);
  }
  const push = PeerPushSchema.safeParse(verified.value);
  if (!push.success)
    return refused(
      400,
      "malformed_push",
      push.error.issues
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ")
        .slice(0, 300),
    );
  const { issuer, audience, issuedAt, entries } = push.data;
  if (issuer !== peer.issuer) return refused(401, "issuer_mismatch", `the push names issuer ${issuer}, not ${peer.issuer ?? "(none)"}`);
  if (audience !== ourIssuer) return refused(403, "wrong_audience", `the push is addressed to ${audience}, not ${ourIssuer}`);
  if (Math.abs(issuedAt - now) > CLOCK_SKEW_MS)
    return refused(
      400,
      "stale_push",
      `issued at ${new Date(issuedAt).toISOString()}; clocks may differ by ${CLOCK_SKEW_MS / 1000} s at most`,
    );
  if (!(await claimPush(env, peer, issuedAt)))
    return refused(409, "replayed", "a push with this issuedAt or a later one was already accepted");
  const safety = await safetyLoader.load(env, devMode);
  return ok(await ingest(env, { peer, kind: "push", entries, safety, now, budget: MAX_RUN_ENTRIES }));
}

/** Moves the peer's last push time forward, atomically: a replayed (or concurrent duplicate) push finds nothing to update. */
async function claimPush(env: PeersEnv, peer: PeerRow, issuedAt: number): Promise<boolean> {
  const rows = await withDb(env, (db) =>
    db
      .update(peers)
      .set({ lastPushIssuedAt: issuedAt })
      .where(and(eq(peers.id, peer.id), or(isNull(peers.lastPushIssuedAt), lt(peers.lastPushIssuedAt, issuedAt))))
      .returning({ id: peers.id }),
  );
  return rows.length === 1;
}
