import { fakeAssetFor, fakeAssetPieces, type FakeAsset } from "../../core/fake-assets";
import { renderLabyrinthPage } from "../../core/labyrinth";
import type { TarpitConfig } from "../../core/tarpit-config";
import { readTarpitHandoff, type TarpitClient } from "../../core/tarpit-headers";
import { hopCounterName } from "../../core/tarpit-hops";
import { assetPace, pagePace, rechunk, takeBytes, type Pace } from "../../core/tarpit-stream";
import type { HopAnswer } from "../../durable-objects/hop-counter";
import { tarpitConfig } from "./config";
import type { TarpitEnv } from "./env";
import { hopOut } from "./hop-out";
import type { TarpitState } from "./state";
import { slowBody, type StreamOutcome } from "./slow-stream";

/** Slow streams one isolate holds at most, whoever the clients are; past it, bodies go out at full speed. */
export const MAX_ISOLATE_SLOW_STREAMS = 1000;
/** The most of a fake asset sent at full speed (to a client over its share of slow streams). */
export const FAST_ASSET_BYTES = 64 * 1024;
/** A stream slot outlives its stream's cap by this much before the hop counter frees it on its own. */
const LEASE_SLACK_MS = 10_000;

type WaitUntil = (promise: Promise<unknown>) => void;
type Body = { readonly kind: "page"; readonly bytes: Uint8Array } | { readonly kind: "asset"; readonly asset: FakeAsset };

const encoder = new TextEncoder();

/**
 * Answers one trapped request: counts the hop (and blocks past the limit), then writes the page or fake asset
 * and sends it slowly if the client has a free stream slot. Nothing here answers an error: a failing hop counter
 * means no counting and no slow stream, a failing Postgres means the bundled chain.
 */
export async function serveTarpit(state: TarpitState, env: TarpitEnv, waitUntil: WaitUntil, request: Request): Promise<Response> {
  const config = tarpitConfig(env);
  const now = Date.now();
  const path = new URL(request.url).pathname;
  // What edge-guard told us (trusted headers: only edge-guard reaches this Worker).
  const handoff = readTarpitHandoff((name) => request.headers.get(name));
  const client = handoff.client;
  const asset = config.fakeAssets ? fakeAssetFor(path, env.LABYRINTH_SECRET ?? "", config.fakeAssetMaxBytes) : null;
  const wantsBody = request.method !== "HEAD";
  const wantsStream = wantsBody && config.stream.delayMs > 0 && state.streams.slow < MAX_ISOLATE_SLOW_STREAMS;
  // Not a hop (edge-guard says another site sent the browser here): no counting, and no slow stream either.
  const counted = client !== null && handoff.hop;
  const [hop, body] = await Promise.all([
    counted ? countHop(state, env, client, now, config, wantsStream) : null,
    bodyOf(state, env, config, path, asset, now, handoff.corpus),
  ]);
  if (client !== null && hop?.block === true) waitUntil(hopOut(state, env, request, client, hop, config.hops, now));
  state.meter.count({ pages: body.kind === "page" ? 1 : 0, assets: body.kind === "asset" ? 1 : 0, hops: hop === null ? 0 : 1 });

  const headers = responseHeaders(asset);
  const lease = hop?.lease ?? null;
  const release = (): void => {
    if (client !== null && lease !== null) waitUntil(releaseLease(state, env, hopCounterName(client.ip, client.site), lease));
  };
  if (!wantsBody) {
    release();
    waitUntil(state.meter.flush(env));
    return new Response(null, { status: 200, headers });
  }
  if (lease === null) {
    const ended = holdUntilEnd(waitUntil);
    const fast = fastBody(state, body, config, () => ended(state.meter.flush(env)));
    if (fast instanceof Uint8Array) ended(state.meter.flush(env));
    return new Response(fast, { status: 200, headers });
  }

  state.streams.slow++;
  const ended = holdUntilEnd(waitUntil);
  const [pieces, pace] =
    body.kind === "page"
      ? [[body.bytes], pagePace(body.bytes.length, config.stream)]
      : [fakeAssetPieces(body.asset), assetPace(config.stream)];
  const stream = slowBody(rechunk(pieces, pace.chunkBytes), pace, (outcome: StreamOutcome) => {
    state.streams.slow--;
    state.meter.count({ bytes: outcome.bytes, chunks: outcome.chunks, heldMs: outcome.heldMs, slowStreams: 1 });
    release();
    // The stream's counts go out now, inside this invocation: not left in memory for a later request.
    ended(state.meter.flush(env));
  });
  return new Response(stream, { status: 200, headers });
}

/** Keeps the invocation alive until a streamed body has ended and `ended`'s work (its metrics flush) is done. */
function holdUntilEnd(waitUntil: WaitUntil): (work: Promise<void>) => void {
  let settle: (work: Promise<void>) => void = () => {};
  waitUntil(new Promise<Promise<void>>((resolve) => (settle = resolve)).then((work) => work));
  return settle;
}

async function bodyOf(
  state: TarpitState,
  env: TarpitEnv,
  config: TarpitConfig,
  path: string,
  asset: FakeAsset | null,
  now: number,
  corpus: string | null,
): Promise<Body> {
  if (asset !== null) return { kind: "asset", asset };
  const { chain } = await state.chains.chainFor(env, now, corpus);
  const html = renderLabyrinthPage(chain, path, { secret: env.LABYRINTH_SECRET, fakeAssets: config.fakeAssets });
  return { kind: "page", bytes: encoder.encode(html) };
}

async function countHop(
  state: TarpitState,
  env: TarpitEnv,
  client: TarpitClient,
  now: number,
  config: TarpitConfig,
  wantsStream: boolean,
): Promise<HopAnswer | null> {
  const leaseMs = config.stream.maxMs + config.stream.delayMs + LEASE_SLACK_MS;
  const claim = wantsStream && config.maxStreamsPerClient > 0 ? { max: config.maxStreamsPerClient, leaseMs } : null;
  try {
    return await env.HOP_COUNTER.getByName(hopCounterName(client.ip, client.site)).hop(now, config.hops, claim);
  } catch (error) {
    state.meter.count({ faults: 1 });
    console.error(JSON.stringify({ msg: "tarpit hop counter unreachable", error: String(error) }));
    return null;
  }
}

async function releaseLease(state: TarpitState, env: TarpitEnv, counter: string, lease: string): Promise<void> {
  await env.HOP_COUNTER.getByName(counter)
    .release(lease)
    .catch((error: unknown) => {
      state.meter.count({ faults: 1 }); // the lease expires on its own
      console.error(JSON.stringify({ msg: "tarpit stream release failed", error: String(error) }));
    });
}

/** A body at full speed: for a client over its share of slow streams, an unknown client, or slow streaming off. */
function fastBody(state: TarpitState, body: Body, config: TarpitConfig, onStreamEnd: () => void): Uint8Array | ReadableStream<Uint8Array> {
  if (body.kind === "page") {
    state.meter.count({ bytes: body.bytes.length, chunks: 1, fastServed: 1 });
    return body.bytes;
  }
  // Never all of a huge file at full speed: that would be our CPU, not their time.
  const pace: Pace = { ...assetPace(config.stream), delayMs: 0 };
  const pieces = rechunk(takeBytes(fakeAssetPieces(body.asset), FAST_ASSET_BYTES), pace.chunkBytes);
  return slowBody(pieces, pace, (o) => {
    state.meter.count({ bytes: o.bytes, chunks: o.chunks, fastServed: 1 });
    onStreamEnd();
  });
}

function responseHeaders(asset: FakeAsset | null): Headers {
  return new Headers({
    "content-type": asset === null ? "text/html; charset=utf-8" : asset.contentType,
    // Cloudflare compresses text/html for clients that accept gzip, and a compressor buffers our trickle into one
    // late burst. An explicit encoding other than gzip/br turns that off (Miniflare's entry worker does the same).
    "content-encoding": "identity",
    "x-robots-tag": "noindex, nofollow",
    "cache-control": "private, max-age=0",
  });
}
