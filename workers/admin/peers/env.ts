import { z } from "zod";
import type { DbEnv } from "../../../adapters/db/client";
import type { RangeIndex } from "../../../durable-objects/range-index";

/** The bindings peering reads: a subset of admin's env (workers/admin/env.ts), so the routes mount on admin as they are. */
export interface PeersEnv extends DbEnv {
  /** The shared blocklist: peers' `ip:` entries are written here with `source: "peer"`. */
  readonly BLOCKLIST: KVNamespace;
  /** Peers' network entries go to the RangeIndex; the allow-list is read from it. */
  readonly RANGE_INDEX: DurableObjectNamespace<RangeIndex>;
  /** Secret: this deployment's Ed25519 private key as a JWK (`npx tsx scripts/ops/peer-key.ts`). Unset: no feed, no key published. */
  readonly PEER_SIGNING_JWK?: string;
  /** The name this deployment signs its feed with, e.g. `edge-guard.example.com`. Default: the admin origin a request came to. */
  readonly PEER_ISSUER?: string;
  /** Least confidence (0..1) of an entry we publish. Default 0.9. */
  readonly PEER_PUBLISH_MIN_CONFIDENCE?: string;
  /** How long (seconds) a blocked IP stays in our feed after its last block. Default 86400. */
  readonly PEER_PUBLISH_TTL_SECONDS?: string;
  /** `on`: also publish what we learned from peers (off by default, so one peer's error does not spread through the mesh). */
  readonly PEER_REPUBLISH?: string;
  /** `on` in local dev: feed URLs may be plain http, and documentation ranges (TEST-NET) may be blocked. */
  readonly DEV_MODE?: string;
}

const VarsSchema = z.object({
  PEER_SIGNING_JWK: z.string().optional(),
  PEER_ISSUER: z.string().max(200).optional(),
  PEER_PUBLISH_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.9),
  PEER_PUBLISH_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(86_400),
  PEER_REPUBLISH: z.enum(["on", "off", ""]).default("off"),
  DEV_MODE: z.enum(["on", "off", ""]).default("off"),
});

/** Peering settings, parsed. */
export interface PeersConfig {
  readonly signingJwk: string | null;
  readonly issuer: string | null;
  readonly publishMinConfidence: number;
  readonly publishTtlSeconds: number;
  readonly republish: boolean;
  readonly devMode: boolean;
}

/** Parses the peering vars; throws on a bad deploy (answered 500 and logged) instead of guessing. */
export function peersConfig(env: PeersEnv): PeersConfig {
  const empty = (v: string | undefined) => (v === "" ? undefined : v);
  const parsed = VarsSchema.safeParse({
    PEER_SIGNING_JWK: empty(env.PEER_SIGNING_JWK),
    PEER_ISSUER: empty(env.PEER_ISSUER),
    PEER_PUBLISH_MIN_CONFIDENCE: empty(env.PEER_PUBLISH_MIN_CONFIDENCE),
    PEER_PUBLISH_TTL_SECONDS: empty(env.PEER_PUBLISH_TTL_SECONDS),
    PEER_REPUBLISH: env.PEER_REPUBLISH,
    DEV_MODE: env.DEV_MODE,
  });
  if (!parsed.success) throw new Error(`peering vars are invalid:\n${z.prettifyError(parsed.error)}`);
  const v = parsed.data;
  return {
    signingJwk: v.PEER_SIGNING_JWK ?? null,
    issuer: v.PEER_ISSUER ?? null,
    publishMinConfidence: v.PEER_PUBLISH_MIN_CONFIDENCE,
    publishTtlSeconds: v.PEER_PUBLISH_TTL_SECONDS,
    republish: v.PEER_REPUBLISH === "on",
    devMode: v.DEV_MODE === "on",
  };
}
