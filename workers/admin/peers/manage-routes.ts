import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { BlocklistStore } from "../../../adapters/blocklist-store";
import type { Db } from "../../../adapters/db/client";
import { db as withDb } from "../store/db";
import { auditLog, peers } from "../../../adapters/db/schema";
import { AppError } from "../../../adapters/http";
import type { PeersDeps, PeersHonoEnv } from "./deps";
import { peersConfig } from "./env";
import { ingestList, MAX_RUN_ENTRIES, syncPeers } from "./sync";
import { thumbprintOf, loadSigningKey } from "./keys";
import { issuerOf } from "./public-routes";
import {
  ImportSchema,
  OPERATOR_ERRORS,
  PeerCreateSchema,
  PeerNameParamSchema,
  PeerSelfSchema,
  PeerUpdateSchema,
  PeerViewSchema,
  SyncOutcomeSchema,
} from "./schemas";
import { entryKeysOf, findPeer, forgetEntries, listPeers, peerStats, type PeerRow, type PeerStats } from "./store";

/** Most KV keys one purge deletes (a read and a delete each). */
const MAX_PURGE = 400;

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ required: true, content: { "application/json": { schema } } });
const notFound = json(z.object({ error: z.string(), message: z.string() }), "`not_found`");

function view(p: PeerRow, s: PeerStats | undefined): z.infer<typeof PeerViewSchema> {
  const last = s?.lastSync ?? null;
  return {
    name: p.name,
    kind: p.kind,
    feedUrl: p.feedUrl,
    issuer: p.issuer,
    keyThumbprint: p.keyThumbprint,
    pinned: p.publicJwk !== null,
    trust: p.trust,
    action: p.action,
    enabled: p.enabled,
    createdAt: p.createdAt.toISOString(),
    lastSync: last && {
      at: last.at.toISOString(),
      kind: last.kind,
      status: last.status,
      error: last.error,
      received: last.received,
      applied: last.applied,
      unchanged: last.unchanged,
      kept: last.kept,
      rejected: last.rejected as Record<string, number>,
    },
    totals: s?.totals ?? { received: 0, applied: 0, rejected: {} },
    activeEntries: s?.activeEntries ?? 0,
  };
}

async function peerOrThrow(db: Db, name: string): Promise<PeerRow> {
  const peer = await findPeer(db, name);
  if (peer === null) throw new AppError(404, "not_found", `no peer named ${name}`);
  return peer;
}

/** The pinned key fields for a JWK given by an operator; the thumbprint, if given too, must match. */
async function pinFields(publicJwk: { kty: "OKP"; crv: "Ed25519"; x: string } | null, keyThumbprint: string | null) {
  if (publicJwk === null) return { publicJwk: null, keyThumbprint };
  const jwk = { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x };
  const kid = await thumbprintOf(jwk);
  if (keyThumbprint !== null && keyThumbprint !== kid)
    throw new AppError(400, "invalid_request", `publicJwk has the thumbprint ${kid}, not ${keyThumbprint}`);
  return { publicJwk: jwk, keyThumbprint: kid };
}

// `db` (admin's store) answers 503 `database_unavailable` when Postgres is down and 409 `conflict` on a duplicate (name, key).
/** Operator routes: the Peers page's data, adding, changing and removing peers, sync now, and list imports. */
export function managePeerRoutes<E extends PeersHonoEnv>(router: () => OpenAPIHono<E>, deps: PeersDeps<E>): OpenAPIHono<E> {
  const now = deps.now ?? (() => Date.now());
  const audit = (c: Context<E>, action: string, target: string, old: unknown, next: unknown) =>
    withDb(c.env, (db) =>
      db.insert(auditLog).values({ actor: deps.actor?.(c) ?? "unknown", action, target: `peer:${target}`, old, new: next }),
    );
  const role = (r: "viewer" | "operator") => ({
    middleware: deps.requireRole(r),
    "x-required-role": r,
    ...(deps.security === undefined ? {} : { security: deps.security }),
  });
  return router()
    .openapi(
      createRoute({
        method: "get",
        path: "/api/peers",
        summary: "Peers page: this deployment's key and feed, and each peer's trust, last sync, entries received and rejected",
        ...role("viewer"),
        responses: { 200: json(z.object({ self: PeerSelfSchema, peers: z.array(PeerViewSchema) }), "peers"), ...OPERATOR_ERRORS },
      }),
      async (c) => {
        const config = peersConfig(c.env);
        const origin = new URL(c.req.url).origin;
        const kid = config.signingJwk === null ? null : (await loadSigningKey(deps.state.signingKeys, config.signingJwk)).kid;
        const self = {
          issuer: issuerOf(config, c.req.url),
          publishing: kid !== null,
          kid,
          keyUrl: `${origin}/.well-known/edge-guard/peer-key`,
          feedUrl: `${origin}/api/peers/feed`,
          pushUrl: `${origin}/api/peers/push`,
        };
        const [rows, stats] = await withDb(c.env, async (db) => [await listPeers(db), await peerStats(db, now())] as const);
        return c.json({ self, peers: rows.map((p) => view(p, stats.get(p.id))) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/api/peers",
        summary: "Add a peer (another deployment's feed, or a community list)",
        ...role("operator"),
        request: { body: body(PeerCreateSchema) },
        responses: {
          201: json(PeerViewSchema, "added"),
          409: json(z.object({ error: z.string(), message: z.string() }), "`conflict`"),
          ...OPERATOR_ERRORS,
        },
      }),
      async (c) => {
        const input = c.req.valid("json");
        if (input.kind === "list" && (input.publicJwk !== null || input.keyThumbprint !== null))
          throw new AppError(400, "invalid_request", "a list peer has no key");
        if (
          input.kind === "edge-guard" &&
          input.feedUrl === null &&
          input.keyUrl === null &&
          (input.publicJwk === null || input.issuer === null)
        ) {
          throw new AppError(400, "invalid_request", "a peer that only pushes needs its publicJwk and issuer");
        }
        const pin = await pinFields(input.publicJwk, input.keyThumbprint);
        const values = { ...input, ...pin };
        const row = await withDb(c.env, async (db) => {
          if ((await findPeer(db, input.name)) !== null) throw new AppError(409, "conflict", `a peer named ${input.name} exists`);
          const [inserted] = await db.insert(peers).values(values).returning();
          return inserted;
        });
        if (row === undefined) throw new Error("insert returned nothing");
        await audit(c, "peer.create", row.name, null, values);
        return c.json(view(row, undefined), 201);
      },
    )
    .openapi(
      createRoute({
        method: "patch",
        path: "/api/peers/{name}",
        summary: "Change a peer's trust, action, feed URL or key; `repin` re-fetches its key on next contact",
        ...role("operator"),
        request: { params: PeerNameParamSchema, body: body(PeerUpdateSchema) },
        responses: { 200: json(PeerViewSchema, "changed"), 404: notFound, ...OPERATOR_ERRORS },
      }),
      async (c) => {
        const { name } = c.req.valid("param");
        const { repin, publicJwk, keyThumbprint, ...rest } = c.req.valid("json");
        const key =
          publicJwk !== undefined
            ? await pinFields(publicJwk, keyThumbprint ?? null)
            : repin || keyThumbprint !== undefined
              ? { publicJwk: null, keyThumbprint: keyThumbprint ?? null }
              : {};
        const [old, row] = await withDb(c.env, async (db) => {
          const before = await peerOrThrow(db, name);
          const [after] = await db
            .update(peers)
            .set({ ...rest, ...key, ...("publicJwk" in key ? { lastFeedIssuedAt: null, lastPushIssuedAt: null } : {}) })
            .where(eq(peers.id, before.id))
            .returning();
          return [before, after] as const;
        });
        if (row === undefined) throw new AppError(404, "not_found", `no peer named ${name}`);
        await audit(
          c,
          "peer.update",
          name,
          { trust: old.trust, action: old.action, enabled: old.enabled, feedUrl: old.feedUrl, keyThumbprint: old.keyThumbprint },
          { ...rest, ...key },
        );
        return c.json(view(row, undefined), 200);
      },
    )
    .openapi(
      createRoute({
        method: "delete",
        path: "/api/peers/{name}",
        summary: "Remove a peer; with `purge=true` also delete the blocklist entries it put there",
        ...role("operator"),
        request: { params: PeerNameParamSchema, query: z.object({ purge: z.enum(["true", "false"]).default("false") }) },
        responses: {
          200: json(z.object({ removed: z.literal(true), purged: z.number().int() }), "removed"),
          404: notFound,
          ...OPERATOR_ERRORS,
        },
      }),
      async (c) => {
        const { name } = c.req.valid("param");
        const purge = c.req.valid("query").purge === "true";
        const peer = await withDb(c.env, (db) => peerOrThrow(db, name));
        let purged = 0;
        if (purge) {
          const keys = await withDb(c.env, (db) => entryKeysOf(db, peer.id, MAX_PURGE));
          const store = new BlocklistStore(c.env, "peer");
          for (const key of keys) {
            // Only this peer's own entries: a block escalation or an operator wrote since stays.
            if ((await store.remove(key, { peer: peer.name })) !== null) purged++;
          }
          await withDb(c.env, (db) => forgetEntries(db, peer.id, keys));
        }
        await withDb(c.env, (db) => db.delete(peers).where(eq(peers.id, peer.id)));
        await audit(c, "peer.delete", name, { trust: peer.trust, feedUrl: peer.feedUrl, keyThumbprint: peer.keyThumbprint }, { purged });
        return c.json({ removed: true as const, purged }, 200);
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/api/peers/sync",
        summary: "Sync now (what the Cron Trigger does): every enabled peer with a feed URL, or one",
        ...role("operator"),
        request: { body: body(z.object({ name: z.string().optional() })) },
        responses: { 200: json(z.object({ outcomes: z.array(SyncOutcomeSchema) }), "one outcome per peer"), ...OPERATOR_ERRORS },
      }),
      async (c) => {
        const outcomes = await syncPeers(c.env, deps.state.safety, now(), deps.fetch ?? fetch, c.req.valid("json").name);
        return c.json({ outcomes: outcomes.map((o) => ({ ...o, rejections: [...o.rejections] })) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/api/peers/{name}/import",
        summary: "Import a plain list (one IP/CIDR per line) under a peer's trust level, with the same checks as its feed",
        ...role("operator"),
        request: { params: PeerNameParamSchema, body: body(ImportSchema) },
        responses: {
          200: json(SyncOutcomeSchema, "vetted (and applied unless dryRun); rejections name their line"),
          404: notFound,
          ...OPERATOR_ERRORS,
        },
      }),
      async (c) => {
        const { name } = c.req.valid("param");
        const input = c.req.valid("json");
        const peer = await withDb(c.env, (db) => peerOrThrow(db, name));
        const safety = await deps.state.safety.load(c.env, peersConfig(c.env).devMode);
        const outcome = await ingestList(c.env, peer, input.text, {
          kind: "import",
          safety,
          budget: MAX_RUN_ENTRIES,
          now: now(),
          dryRun: input.dryRun,
        });
        if (!input.dryRun)
          await audit(c, "peer.import", name, null, { received: outcome.received, applied: outcome.applied, rejected: outcome.rejected });
        return c.json({ ...outcome, rejections: [...outcome.rejections] }, 200);
      },
    );
}
