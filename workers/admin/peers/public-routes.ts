import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { AppError } from "../../../adapters/http";
import { PEER_KEY_PATH } from "../../../core/peers/feed";
import type { PeersHonoEnv } from "./deps";
import { peersConfig, type PeersConfig, type PeersEnv } from "./env";
import { loadSigningKey, type SigningKey } from "./keys";
import { signedFeed } from "./publish";
import { receivePush } from "./push";
import { PeerErrorSchema, SyncOutcomeSchema } from "./schemas";
import { PUSH_RATE_PER_MINUTE, type PeersState } from "./state";

/** Largest push body read, bytes. */
export const MAX_PUSH_BYTES = 2 * 1024 * 1024;
/** How long one signed feed is served before it is built again (its query aggregates escalation's blocks), ms. */
export const PEER_FEED_CACHE_MS = 60_000;

/** Our issuer: PEER_ISSUER, or the origin the request came to. */
export function issuerOf(config: PeersConfig, requestUrl: string): string {
  return config.issuer ?? new URL(requestUrl).origin;
}

/** Our signing key, or 404 `peering_disabled` when PEER_SIGNING_JWK is unset. */
export async function signingKeyOrThrow(env: PeersEnv, state: PeersState): Promise<{ config: PeersConfig; key: SigningKey }> {
  const config = peersConfig(env);
  if (config.signingJwk === null)
    throw new AppError(404, "peering_disabled", "this deployment publishes no peer feed (PEER_SIGNING_JWK is unset)");
  return { config, key: await loadSigningKey(state.signingKeys, config.signingJwk) };
}

const error = (description: string) => ({ description, content: { "application/json": { schema: PeerErrorSchema } } });

/** Routes peers call, without an operator login: the key document, the signed feed, and signed pushes. */
export function publicPeerRoutes<E extends PeersHonoEnv>(
  router: () => OpenAPIHono<E>,
  state: PeersState,
  now: () => number,
): OpenAPIHono<E> {
  const { feedCache, pushes } = state;
  return router()
    .openapi(
      createRoute({
        method: "get",
        path: PEER_KEY_PATH,
        summary: "This deployment's peer-feed public key (JWK Set, kid = RFC 7638 thumbprint) and issuer; public",
        "x-required-role": "public",
        responses: {
          200: {
            description: "the key document",
            content: {
              "application/json": {
                schema: z.object({
                  issuer: z.string(),
                  keys: z.array(z.record(z.string(), z.string())),
                  feed: z.string(),
                  push: z.string(),
                }),
              },
            },
          },
          404: error("`peering_disabled`"),
        },
      }),
      async (c) => {
        const { config, key } = await signingKeyOrThrow(c.env, state);
        const origin = new URL(c.req.url).origin;
        return c.json(
          {
            issuer: issuerOf(config, c.req.url),
            keys: [{ ...key.publicJwk }],
            feed: `${origin}/api/peers/feed`,
            push: `${origin}/api/peers/push`,
          },
          200,
        );
      },
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/api/peers/feed",
        summary: "The signed feed of this deployment's confident blocks (compact JWS, EdDSA); public, rebuilt at most once a minute",
        "x-required-role": "public",
        responses: {
          200: { description: "compact JWS", content: { "application/jose": { schema: z.string() } } },
          404: error("`peering_disabled`"),
        },
      }),
      async (c) => {
        const { config, key } = await signingKeyOrThrow(c.env, state);
        const issuer = issuerOf(config, c.req.url);
        const at = now();
        const cacheKey = `${issuer}\u0000${key.kid}`;
        let cached = feedCache.get(cacheKey);
        if (cached === undefined || at - cached.at >= PEER_FEED_CACHE_MS || at < cached.at) {
          cached = { jws: await signedFeed(c.env, config, key, issuer, at), at };
          feedCache.set(cacheKey, cached);
        }
        const maxAge = Math.max(0, Math.ceil((cached.at + PEER_FEED_CACHE_MS - at) / 1000));
        return c.body(cached.jws, 200, { "content-type": "application/jose", "cache-control": `public, max-age=${maxAge}` });
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/api/peers/push",
        summary: "A peer pushes a batch signed with its pinned key (compact JWS, typ edge-guard-push+jws, audience = our issuer)",
        request: { body: { required: true, content: { "application/jose": { schema: z.string() } } } },
        "x-required-role": "public",
        responses: {
          200: { description: "vetted and applied", content: { "application/json": { schema: SyncOutcomeSchema } } },
          400: error("malformed or stale push"),
          401: error("unknown key, bad signature, wrong issuer"),
          403: error("addressed to another deployment"),
          409: error("`replayed`"),
          413: error("`too_large`"),
          429: error("`rate_limited`: too many pushes from this address"),
        },
      }),
      async (c) => {
        if (!pushes.allowed(c.req.header("cf-connecting-ip") ?? "unknown", now())) {
          c.header("Retry-After", "60");
          throw new AppError(429, "rate_limited", `at most ${PUSH_RATE_PER_MINUTE} pushes a minute from one address`);
        }
        if (Number(c.req.header("content-length") ?? "0") > MAX_PUSH_BYTES)
          throw new AppError(413, "too_large", `at most ${MAX_PUSH_BYTES} bytes`);
        // Bytes, then UTF-8: `text()` on an application/jose body makes workerd warn about non-text content.
        const body = new TextDecoder().decode(await c.req.arrayBuffer()).trim();
        if (body.length > MAX_PUSH_BYTES) throw new AppError(413, "too_large", `at most ${MAX_PUSH_BYTES} bytes`);
        const config = peersConfig(c.env);
        const result = await receivePush(c.env, state.safety, body, issuerOf(config, c.req.url), config.devMode, now());
        if (!result.ok) throw new AppError(result.error.status, result.error.code, result.error.message);
        return c.json({ ...result.value, rejections: [...result.value.rejections] }, 200);
      },
    );
}
