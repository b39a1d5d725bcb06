import { z } from "zod";

/** Version of the feed format below; a reader refuses any other. */
export const PEER_FEED_VERSION = 1;
/** Most entries one feed or push carries (a publisher sends its most recent ones). */
export const MAX_FEED_ENTRIES = 5_000;
/** JWS `typ` of a published feed and of a pushed batch: one can never be replayed as the other. */
export const FEED_JWS_TYPE = "edge-guard-feed+jws";
export const PUSH_JWS_TYPE = "edge-guard-push+jws";
/** The only JWS algorithm peers sign with (Ed25519, RFC 8037). */
export const PEER_JWS_ALG = "EdDSA";
/** Well-known path where a deployment publishes its public key (a JWK Set with its issuer). */
export const PEER_KEY_PATH = "/.well-known/edge-guard/peer-key";

const epochMs = z.number().int().nonnegative();

/** What an entry covers: one address, one network, or one autonomous system. */
export const FeedScopeSchema = z.enum(["ip", "cidr", "asn"]);
export type FeedScope = z.infer<typeof FeedScopeSchema>;

/** One confident entry of a peer feed. Times are epoch ms. */
export const FeedEntrySchema = z
  .object({
    scope: FeedScopeSchema,
    /** `203.0.113.7`, `203.0.113.0/24` or `64500` / `AS64500`; canonicalised by the reader. */
    value: z.string().min(1).max(64),
    reason: z.string().max(200),
    /** How sure the publisher is that this is an abusive client, 0..1. */
    confidence: z.number().min(0).max(1),
    firstSeen: epochMs,
    lastSeen: epochMs,
    expiresAt: epochMs,
  })
  .refine((e) => e.firstSeen <= e.lastSeen && e.lastSeen <= e.expiresAt, { error: "needs firstSeen <= lastSeen <= expiresAt" });
export type FeedEntry = z.infer<typeof FeedEntrySchema>;

/**
 * A feed's payload (the JWS payload, JSON). Entries are checked one by one (`vetEntries`), so one malformed
 * entry is counted and skipped instead of voiding the feed.
 */
export const PeerFeedSchema = z.object({
  version: z.literal(PEER_FEED_VERSION),
  /** The publisher's name for itself; must equal the issuer pinned for the peer. */
  issuer: z.string().min(1).max(200),
  issuedAt: epochMs,
  entries: z.array(z.unknown()).max(MAX_FEED_ENTRIES),
});
export type PeerFeed = z.infer<typeof PeerFeedSchema>;

/** A pushed batch: a feed addressed to one deployment (`audience` = its issuer), so it cannot be replayed elsewhere. */
export const PeerPushSchema = PeerFeedSchema.extend({ audience: z.string().min(1).max(200) });
export type PeerPush = z.infer<typeof PeerPushSchema>;

/** The Ed25519 public key as a JWK (RFC 8037): the only key type peers use. */
export const PeerPublicJwkSchema = z.object({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519"),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "x is 32 bytes, base64url"),
  kid: z.string().max(100).optional(),
});
export type PeerPublicJwk = z.infer<typeof PeerPublicJwkSchema>;

/** The well-known key document: a JWK Set plus the issuer name the deployment signs its feeds with. */
export const PeerKeyDocumentSchema = z.object({
  issuer: z.string().min(1).max(200),
  keys: z.array(z.looseObject({})).min(1).max(10),
});
export type PeerKeyDocument = z.infer<typeof PeerKeyDocumentSchema>;
