import { eq } from "drizzle-orm";
import { withDb } from "../../../adapters/db/client";
import { peers } from "../../../adapters/db/schema";
import type { SafetyContext } from "../../../core/admin/safety";
import { listEntry, parseBlocklistText } from "../../../core/peers/blocklist-text";
import { FEED_JWS_TYPE, PEER_KEY_PATH, PeerFeedSchema, PeerKeyDocumentSchema, PeerPublicJwkSchema } from "../../../core/peers/feed";
import type { Rejection } from "../../../core/peers/vet";
import { fail, ok, type Result } from "../../../core/result";
import { peersConfig, type PeersEnv } from "./env";
import { emptyOutcome, ingest, limitsOf, recordStatus, type IngestOutcome } from "./ingest";
import { pickPeerKey, verifyPeerJws } from "./keys";
import type { SafetyLoader } from "../store/safety";
import { listPeers, type PeerRow } from "./store";

/** How long one fetch of a feed, list or key may take, ms. */
export const PEER_FETCH_TIMEOUT_MS = 10_000;
/** Largest feed or list read, bytes. */
export const MAX_FEED_BYTES = 4 * 1024 * 1024;
/** Most entries one run accepts over all peers: each costs a KV read and a write, and an invocation gets 1000 KV operations. */
export const MAX_RUN_ENTRIES = 400;
/** A feed older than this (by its issuedAt) is refused as stale, ms. */
export const FEED_MAX_AGE_MS = 86_400_000;
/** Clock difference tolerated between deployments, ms. */
export const CLOCK_SKEW_MS = 5 * 60_000;

type Failure = { readonly status: string; readonly error: string };
const failure = (status: string, error: string) => fail<Failure>({ status, error });

/**
 * Fetches a URL as text with a timeout and a byte cap counted while streaming (a missing or lying content-length
 * changes nothing); redirects are not followed (a 3xx is `redirected`: no https→http, no hop to another host);
 * http only in dev mode.
 */
export async function fetchText(fetcher: typeof fetch, url: string, accept: string, devMode: boolean): Promise<Result<string, Failure>> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return failure("bad_url", `${url} is not a URL`);
  }
  if (parsed.protocol !== "https:" && !(devMode && parsed.protocol === "http:"))
    return failure("insecure_url", `${url}: peers are fetched over https only`);
  try {
    const response = await fetcher(parsed.toString(), {
      headers: { accept },
      redirect: "manual",
      signal: AbortSignal.timeout(PEER_FETCH_TIMEOUT_MS),
    });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      return failure("redirected", `${url} answered ${response.status} (redirects are not followed; give the final URL)`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      return failure("fetch_failed", `${url} answered ${response.status}`);
    }
    const length = Number(response.headers.get("content-length") ?? "0");
    if (length > MAX_FEED_BYTES) {
      await response.body?.cancel();
      return failure("too_large", `${url} is ${length} bytes; at most ${MAX_FEED_BYTES}`);
    }
    const bytes = await readCapped(response.body, MAX_FEED_BYTES);
    if (bytes === null) return failure("too_large", `${url} is over ${MAX_FEED_BYTES} bytes`);
    // Bytes, then UTF-8: `text()` on an application/jose body makes workerd warn about non-text content.
    return ok(new TextDecoder().decode(bytes));
  } catch (error) {
    return failure("fetch_failed", `${url}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300));
  }
}

/** Reads a body up to `max` bytes; null (and the rest cancelled, never read) when it is longer. */
async function readCapped(body: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array | null> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/**
 * The peer with its key pinned: fetched from its well-known URL on first contact, and pinned only when it matches
 * the thumbprint the operator gave out of band (trusting whatever key the URL serves first would let anyone on the
 * path, or the host's next owner, choose the key).
 */
async function pinnedPeer(env: PeersEnv, peer: PeerRow, fetcher: typeof fetch, devMode: boolean): Promise<Result<PeerRow, Failure>> {
  if (peer.publicJwk !== null && peer.keyThumbprint !== null && peer.issuer !== null) return ok(peer);
  if (peer.publicJwk === null && peer.keyThumbprint === null) {
    return failure(
      "thumbprint_required",
      "no key is pinned: give the peer's key thumbprint (its kid) or its public JWK, from its operator",
    );
  }
  if (peer.feedUrl === null && peer.keyUrl === null) return failure("no_key", "no key is pinned and there is no URL to fetch it from");
  const keyUrl = peer.keyUrl ?? new URL(PEER_KEY_PATH, peer.feedUrl ?? "").toString();
  const text = await fetchText(fetcher, keyUrl, "application/json", devMode);
  if (!text.ok) return text;
  let doc: ReturnType<typeof PeerKeyDocumentSchema.safeParse>;
  try {
    doc = PeerKeyDocumentSchema.safeParse(JSON.parse(text.value));
  } catch {
    return failure("bad_key_document", `${keyUrl} is not JSON`);
  }
  if (!doc.success) return failure("bad_key_document", `${keyUrl}: ${doc.error.issues[0]?.message ?? "invalid"}`);
  if (peer.issuer !== null && doc.data.issuer !== peer.issuer)
    return failure("issuer_mismatch", `${keyUrl} names issuer ${doc.data.issuer}, not ${peer.issuer}`);
  const key = await pickPeerKey(doc.data, peer.keyThumbprint);
  if (!key.ok) return failure("bad_key_document", `${keyUrl}: ${key.error}`);
  const pinned = { publicJwk: key.value.jwk, keyThumbprint: key.value.kid, issuer: doc.data.issuer };
  await withDb(env, (db) => db.update(peers).set(pinned).where(eq(peers.id, peer.id)));
  return ok({ ...peer, ...pinned });
}

/** Pulls one edge-guard peer's signed feed and returns its entries, or why it was refused. */
async function feedEntries(
  env: PeersEnv,
  peer: PeerRow,
  fetcher: typeof fetch,
  now: number,
  devMode: boolean,
): Promise<Result<{ entries: unknown[]; issuedAt: number; peer: PeerRow }, Failure>> {
  const pinned = await pinnedPeer(env, peer, fetcher, devMode);
  if (!pinned.ok) return pinned;
  const p = pinned.value;
  const jwk = PeerPublicJwkSchema.safeParse(p.publicJwk);
  if (!jwk.success || p.keyThumbprint === null) return failure("no_key", "the pinned key is not an Ed25519 JWK");
  const jws = await fetchText(fetcher, p.feedUrl ?? "", "application/jose", devMode);
  if (!jws.ok) return jws;
  const verified = await verifyPeerJws(jws.value.trim(), jwk.data, p.keyThumbprint, FEED_JWS_TYPE);
  if (!verified.ok) return failure(verified.error.code, verified.error.message);
  const feed = PeerFeedSchema.safeParse(verified.value);
  if (!feed.success)
    return failure(
      "malformed_feed",
      feed.error.issues
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ")
        .slice(0, 300),
    );
  const { issuer, issuedAt, entries } = feed.data;
  if (issuer !== p.issuer) return failure("issuer_mismatch", `the feed names issuer ${issuer}, not ${p.issuer ?? "(none)"}`);
  if (issuedAt > now + CLOCK_SKEW_MS || issuedAt < now - FEED_MAX_AGE_MS)
    return failure("stale_feed", `issued at ${new Date(issuedAt).toISOString()}`);
  if (p.lastFeedIssuedAt !== null && issuedAt < p.lastFeedIssuedAt)
    return failure("replayed", `issued before the feed already accepted (${new Date(p.lastFeedIssuedAt).toISOString()})`);
  if (p.lastFeedIssuedAt !== null && issuedAt === p.lastFeedIssuedAt) return failure("not_modified", "same feed as last time");
  return ok({ entries, issuedAt, peer: p });
}

/** Syncs one peer: pulls, verifies, vets and applies; every outcome is recorded. */
async function syncOne(
  env: PeersEnv,
  peer: PeerRow,
  safety: SafetyContext,
  budget: number,
  now: number,
  fetcher: typeof fetch,
  devMode: boolean,
): Promise<IngestOutcome> {
  if (peer.kind === "list") {
    const text = await fetchText(fetcher, peer.feedUrl ?? "", "text/plain", devMode);
    if (!text.ok) return recordStatus(env, peer, "feed", text.error.status, text.error.error, now);
    return ingestList(env, peer, text.value, { kind: "feed", safety, budget, now, dryRun: false });
  }
  const feed = await feedEntries(env, peer, fetcher, now, devMode);
  if (!feed.ok) return recordStatus(env, peer, "feed", feed.error.status, feed.error.error, now);
  const outcome = await ingest(env, { peer: feed.value.peer, kind: "feed", entries: feed.value.entries, safety, now, budget });
  await withDb(env, (db) => db.update(peers).set({ lastFeedIssuedAt: feed.value.issuedAt }).where(eq(peers.id, peer.id)));
  return outcome;
}

/** How a list is ingested: cron pull (`feed`) or an operator's `import`, possibly a dry run. */
export interface ListIngest {
  readonly kind: "feed" | "import";
  readonly safety: SafetyContext;
  readonly budget: number;
  readonly now: number;
  readonly dryRun: boolean;
}

/** Ingests a plain list for a peer: bad lines count as malformed; rejections name their line. */
export async function ingestList(env: PeersEnv, peer: PeerRow, text: string, how: ListIngest): Promise<IngestOutcome> {
  const { kind, safety, budget, now, dryRun } = how;
  const parsed = parseBlocklistText(text);
  if (!parsed.ok)
    return dryRun
      ? { ...emptyOutcome(peer, kind), status: "too_large", error: parsed.error }
      : recordStatus(env, peer, kind, "too_large", parsed.error, now);
  const limits = limitsOf(peer);
  const entries = parsed.value.lines.map((line) =>
    listEntry(line, `list line ${line.line}`, limits.minConfidence, now, limits.maxTtlSeconds),
  );
  const preRejected: Rejection[] = parsed.value.bad.map((b) => ({
    index: -1,
    line: b.line,
    value: b.text.slice(0, 64),
    reason: "malformed",
    detail: b.error,
  }));
  const outcome = await ingest(env, { peer, kind, entries, safety, now, budget, preRejected, dryRun });
  const lines = parsed.value.lines;
  const rejections = outcome.rejections
    .map((r) => (r.line === undefined ? { ...r, line: lines[r.index]?.line } : r))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { ...outcome, rejections };
}

/**
 * The Cron Trigger's work: pulls every enabled peer that has a feed URL (or only `onlyName`), one after another,
 * sharing one KV budget. A failing peer is recorded and skipped; the rest still sync.
 */
export async function syncPeers(
  env: PeersEnv,
  safetyLoader: SafetyLoader,
  now: number,
  fetcher: typeof fetch = fetch,
  onlyName?: string,
): Promise<IngestOutcome[]> {
  const devMode = peersConfig(env).devMode;
  const all = await withDb(env, listPeers);
  const due = all.filter((p) => p.enabled && p.feedUrl !== null && (onlyName === undefined || p.name === onlyName));
  if (due.length === 0) return [];
  const safety = await safetyLoader.load(env, devMode);
  const outcomes: IngestOutcome[] = [];
  let budget = MAX_RUN_ENTRIES;
  for (const peer of due) {
    try {
      const outcome = await syncOne(env, peer, safety, budget, now, fetcher, devMode);
      budget -= outcome.accepted;
      outcomes.push(outcome);
    } catch (error) {
      // A database or KV fault for one peer: logged, and the next peer still gets its turn.
      console.error(
        JSON.stringify({ msg: "peer_sync_failed", peer: peer.name, error: error instanceof Error ? error.message : String(error) }),
      );
      outcomes.push({ ...emptyOutcome(peer, "feed"), status: "internal", error: "sync failed; see the Worker's logs" });
    }
  }
  return outcomes;
}
