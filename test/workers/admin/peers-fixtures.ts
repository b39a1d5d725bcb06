import { env as rawEnv } from "cloudflare:workers";
import type { sql } from "drizzle-orm";
import { Hono, type MiddlewareHandler } from "hono";
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair } from "jose";
import { BlocklistStore } from "../../../adapters/blocklist-store";
import { withDb } from "../../../adapters/db/client";
import { AppError, onError } from "../../../adapters/http";
import { roleAtLeast, type Role } from "../../../core/admin/roles";
import { FEED_JWS_TYPE, PEER_KEY_PATH, PUSH_JWS_TYPE, type FeedEntry } from "../../../core/peers/feed";
import type { PeersEnv } from "../../../workers/admin/peers/env";
import { peersRoutes } from "../../../workers/admin/peers/routes";
import { createPeersState } from "../../../workers/admin/peers/state";
import { SafetyLoader } from "../../../workers/admin/store/safety";

/** The tests' clock: a fixed past day, so rows written here stay out of other admin tests' time windows. */
export const NOW = Date.UTC(2025, 0, 15, 12);
export const HOUR = 3_600_000;
export const clock = { now: NOW };

/** Our deployment ("b.test"): real KV and Postgres, our own signing key. */
export const ours = await makeKeyPair();
export const env: PeersEnv = {
  ...(rawEnv as unknown as PeersEnv),
  PEER_SIGNING_JWK: JSON.stringify(ours.privateJwk),
  PEER_ISSUER: "b.test",
  DEV_MODE: "off",
};

/** A stand-in for admin's requireRole: the role comes from the `x-test-role` header. */
const requireRole =
  (role: Role): MiddlewareHandler =>
  async (c, next) => {
    const have = c.req.header("x-test-role") as Role | undefined;
    if (have === undefined) throw new AppError(401, "unauthenticated", "no role");
    if (!roleAtLeast(have, role)) throw new AppError(403, "forbidden", `needs ${role}`);
    await next();
  };

/** Fake remote deployments, by host: what their well-known key URL, feed URL and list URL answer. */
export const remotes = new Map<string, { keyDoc?: unknown; feed?: string; list?: string; status?: number }>();
/** Every URL the sync fetched. */
export const fetched: string[] = [];

const fakeFetch: typeof fetch = async (input) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  fetched.push(url.toString());
  const remote = remotes.get(url.host);
  if (remote === undefined) throw new TypeError(`fetch failed: ${url.host} unreachable`);
  if (remote.status !== undefined) return new Response("nope", { status: remote.status });
  if (url.pathname === PEER_KEY_PATH && remote.keyDoc !== undefined) return Response.json(remote.keyDoc);
  if (url.pathname === "/api/peers/feed" && remote.feed !== undefined)
    return new Response(remote.feed, { headers: { "content-type": "application/jose" } });
  if (url.pathname === "/list.txt" && remote.list !== undefined) return new Response(remote.list);
  return new Response("not found", { status: 404 });
};

/** The peering state of the app below (the Cron path, `syncPeers`, takes its safety loader). */
export const peersState = createPeersState(new SafetyLoader());

/** Our admin app as the tests run it: only the peer routes, with the stand-in role check. */
export const app = new Hono<{ Bindings: PeersEnv }>().onError(onError);
app.route("/", peersRoutes({ state: peersState, requireRole, actor: () => "test", now: () => clock.now, fetch: fakeFetch }));
export { fakeFetch };

/** Calls our app; `role` is sent as the stand-in credential. */
export function call(path: string, init: RequestInit & { role?: Role } = {}, e: PeersEnv = env): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.role !== undefined) headers.set("x-test-role", init.role);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  return Promise.resolve(app.request(`https://b.test${path}`, { ...init, headers }, e));
}

/** An Ed25519 key pair as a peer holds it. */
export async function makeKeyPair() {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const pub = await exportJWK(publicKey);
  const priv = await exportJWK(privateKey);
  const publicJwk = { kty: "OKP" as const, crv: "Ed25519" as const, x: String(pub.x) };
  const kid = await calculateJwkThumbprint(publicJwk, "sha256");
  return { privateKey, publicJwk, kid, privateJwk: { ...publicJwk, d: String(priv.d) } };
}

/** Signs a payload as a peer would (EdDSA), with header overrides for the attacks. */
export async function sign(
  keys: { privateKey: CryptoKey; kid: string },
  payload: unknown,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: "EdDSA", kid: keys.kid, typ: FEED_JWS_TYPE, ...header })
    .sign(keys.privateKey);
}

/** A signed feed from `issuer`. */
export function signedFeed(
  keys: { privateKey: CryptoKey; kid: string },
  issuer: string,
  entries: unknown[],
  issuedAt = clock.now,
  header: Record<string, unknown> = {},
) {
  return sign(keys, { version: 1, issuer, issuedAt, entries }, header);
}

/** A signed push from `issuer` to `audience`. */
export function signedPush(
  keys: { privateKey: CryptoKey; kid: string },
  issuer: string,
  audience: string,
  entries: unknown[],
  issuedAt = clock.now,
) {
  return sign(keys, { version: 1, issuer, audience, issuedAt, entries }, { typ: PUSH_JWS_TYPE });
}

/** A feed entry seen an hour ago, expiring in 12 hours. */
export function entry(value: string, overrides: Partial<FeedEntry> = {}): FeedEntry {
  const scope = value.includes("/") ? "cidr" : "ip";
  return {
    scope,
    value,
    reason: "scraper",
    confidence: 0.99,
    firstSeen: clock.now - 2 * HOUR,
    lastSeen: clock.now - HOUR,
    expiresAt: clock.now + 12 * HOUR,
    ...overrides,
  };
}

/** A remote deployment at https://<host>: its keys and its key document. */
export async function remotePeer(host: string) {
  const keys = await makeKeyPair();
  remotes.set(host, { keyDoc: { issuer: host, keys: [{ ...keys.publicJwk, kid: keys.kid, alg: "EdDSA", use: "sig" }] } });
  return {
    host,
    keys,
    feedUrl: `https://${host}/api/peers/feed`,
    publish: (feed: string) => remotes.set(host, { ...remotes.get(host), feed }),
  };
}

/** The stored value of a blocklist key (`ip:` in KV, networks in the RangeIndex), parsed, or null. */
export async function kvEntry(key: string): Promise<Record<string, unknown> | null> {
  const raw = await new BlocklistStore(env, "operator").get(key);
  return raw === null ? null : (JSON.parse(raw) as Record<string, unknown>);
}

/** Runs SQL on the test database. */
export function exec(query: ReturnType<typeof sql>) {
  return withDb(env, (db) => db.execute(query));
}
