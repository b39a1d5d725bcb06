import { z } from "@hono/zod-openapi";
import { TrustLevelSchema } from "../../../core/peers/trust";
import { REJECT_REASONS } from "../../../core/peers/vet";
import { PeerPublicJwkSchema } from "../../../core/peers/feed";

const NAME = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "lower-case letters, digits, `.`, `_`, `-`; at most 63");

/** Every error the peer routes answer. */
export const PeerErrorSchema = z.object({ error: z.string(), message: z.string() }).openapi("PeerError");

const errors = (codes: Record<number, string>) =>
  Object.fromEntries(
    Object.entries(codes).map(([status, description]) => [
      status,
      { description, content: { "application/json": { schema: PeerErrorSchema } } },
    ]),
  );

/** Error responses of operator routes. */
export const OPERATOR_ERRORS = errors({
  400: "invalid input",
  401: "not signed in",
  403: "role too low",
  503: "Postgres or KV unreachable",
});

/** A peer to add. An edge-guard peer's key is pinned now (`publicJwk`) or fetched on first contact (checked against `keyThumbprint`, if given). */
export const PeerCreateSchema = z
  .object({
    name: NAME,
    kind: z.enum(["edge-guard", "list"]).default("edge-guard"),
    feedUrl: z
      .url()
      .max(500)
      .nullable()
      .default(null)
      .openapi({ description: "edge-guard: `<admin origin>/api/peers/feed`; list: a plain-text URL; null: push or import only" }),
    keyUrl: z
      .url()
      .max(500)
      .nullable()
      .default(null)
      .openapi({ description: "default: /.well-known/edge-guard/peer-key at the feed's origin" }),
    issuer: z
      .string()
      .min(1)
      .max(200)
      .nullable()
      .default(null)
      .openapi({ description: "the issuer its feed must name; default: what its key document says" }),
    publicJwk: PeerPublicJwkSchema.nullable().default(null),
    keyThumbprint: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/)
      .nullable()
      .default(null)
      .openapi({ description: "RFC 7638 SHA-256 thumbprint the peer told you out of band" }),
    trust: TrustLevelSchema.default("low"),
    action: z.enum(["block", "tarpit"]).default("block"),
    enabled: z.boolean().default(true),
  })
  .openapi("PeerCreate");

/** Changes to a peer. `repin: true` forgets the pinned key: the next contact fetches it again (after a key rotation). */
export const PeerUpdateSchema = z
  .object({
    feedUrl: z.url().max(500).nullable().optional(),
    trust: TrustLevelSchema.optional(),
    action: z.enum(["block", "tarpit"]).optional(),
    enabled: z.boolean().optional(),
    publicJwk: PeerPublicJwkSchema.optional(),
    keyThumbprint: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/)
      .optional(),
    repin: z.boolean().optional(),
  })
  .openapi("PeerUpdate");

export const PeerNameParamSchema = z.object({ name: NAME.openapi({ param: { name: "name", in: "path" } }) });

const RejectedCountsSchema = z.record(z.string(), z.number().int()).openapi({ description: `by reason: ${REJECT_REASONS.join(", ")}` });

/** One sync, push or import, as answered and as the dashboard shows the last one. */
export const SyncOutcomeSchema = z
  .object({
    peer: z.string(),
    kind: z.enum(["feed", "push", "import"]),
    status: z.string(),
    error: z.string().nullable(),
    received: z.number().int(),
    applied: z.number().int(),
    unchanged: z.number().int(),
    kept: z.number().int(),
    rejected: RejectedCountsSchema,
    rejections: z.array(
      z.object({
        index: z.number().int(),
        line: z.number().int().optional(),
        value: z.string(),
        reason: z.enum(REJECT_REASONS),
        detail: z.string(),
      }),
    ),
  })
  .openapi("PeerSyncOutcome");

/** A peer on the dashboard's Peers page. */
export const PeerViewSchema = z
  .object({
    name: z.string(),
    kind: z.string(),
    feedUrl: z.string().nullable(),
    issuer: z.string().nullable(),
    keyThumbprint: z.string().nullable(),
    pinned: z.boolean(),
    trust: z.string(),
    action: z.string(),
    enabled: z.boolean(),
    createdAt: z.string(),
    lastSync: z
      .object({
        at: z.string(),
        kind: z.string(),
        status: z.string(),
        error: z.string().nullable(),
        received: z.number().int(),
        applied: z.number().int(),
        unchanged: z.number().int(),
        kept: z.number().int(),
        rejected: RejectedCountsSchema,
      })
      .nullable(),
    totals: z.object({ received: z.number().int(), applied: z.number().int(), rejected: RejectedCountsSchema }),
    activeEntries: z.number().int(),
  })
  .openapi("Peer");

/** This deployment as its peers see it. */
export const PeerSelfSchema = z
  .object({
    issuer: z.string(),
    publishing: z.boolean(),
    kid: z.string().nullable(),
    keyUrl: z.string(),
    feedUrl: z.string(),
    pushUrl: z.string(),
  })
  .openapi("PeerSelf");

/** A plain list to import for a `list` (or any) peer. */
export const ImportSchema = z
  .object({
    text: z.string().max(4_000_000).openapi({ description: "one IP, CIDR or AS<n> per line; `#`, `;` and `//` start comments" }),
    dryRun: z.boolean().default(false),
  })
  .openapi("PeerImport");
