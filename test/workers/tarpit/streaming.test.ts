import { describe, expect, it } from "vitest";
import { FAST_ASSET_BYTES } from "../../../workers/tarpit/serve";
import { call, envWith, readChunks, tarpitFor } from "./support";

const PAGE = "/archive/0badf00d/harbour";
const SCRIPT = "/archive/static/0badf00d/vendor.12ab34cd.js";
const ARCHIVE = "/archive/files/0badf00d/harbour-survey-2019.tar.gz";
const slow = { STREAM_DELAY_MS: "40", STREAM_CHUNK_BYTES: "1024", STREAM_MAX_SECONDS: "5", STREAM_MAX_PER_CLIENT: "2" };

describe("slow streaming", () => {
  it("sends a page in several chunks over time, the same bytes as at full speed", async () => {
    const { env } = envWith(slow);
    const started = Date.now();
    const { response, settled } = await call(env, PAGE, "81.2.69.1");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-robots-tag")).toBe("noindex, nofollow");
    expect(response.headers.get("content-encoding")).toBe("identity"); // so no compressor re-buffers the trickle
    const { chunks, times, bytes } = await readChunks(response);
    await settled();
    expect(chunks.length).toBeGreaterThanOrEqual(5);
    expect(chunks.slice(0, -1).every((c) => c.length === 1024)).toBe(true);
    for (let i = 1; i < times.length; i++) expect(times[i] ?? 0).toBeGreaterThanOrEqual((times[i - 1] ?? 0) + 40);
    expect(Date.now() - started).toBeGreaterThanOrEqual((chunks.length - 1) * 40);

    const fast = await call(envWith({ STREAM_DELAY_MS: "0" }).env, PAGE, "81.2.69.2");
    expect(new TextDecoder().decode(bytes)).toBe(await fast.response.text());
  });

  it("ends a page within STREAM_MAX_SECONDS by sending bigger chunks", async () => {
    const { env } = envWith({ ...slow, STREAM_CHUNK_BYTES: "64", STREAM_DELAY_MS: "250", STREAM_MAX_SECONDS: "1" });
    const { response, settled } = await call(env, PAGE, "81.2.69.3");
    const { chunks, bytes } = await readChunks(response);
    await settled();
    // 64-byte chunks would take many seconds; the pace grows them so the page fits 1 + floor(1000 / 250) = 5 chunks.
    // No assertion on how long it took: on a busy machine the wall-time cap may send the rest at once, in more chunks.
    const grown = Math.ceil(bytes.length / 5);
    expect(grown).toBeGreaterThan(64);
    expect(chunks.slice(0, -1).every((c) => c.length === grown)).toBe(true);
    const fast = await call(envWith({ STREAM_DELAY_MS: "0" }).env, PAGE, "81.2.69.13");
    expect(new TextDecoder().decode(bytes)).toBe(await fast.response.text()); // the whole page, never cut off
  });

  it("holds at most STREAM_MAX_PER_CLIENT slow streams per client; the rest get the page at full speed", async () => {
    const { env } = envWith(slow);
    const ip = "81.2.69.4";
    const first = await call(env, "/archive/00000001/a", ip);
    const second = await call(env, "/archive/00000002/b", ip);
    const third = await call(env, "/archive/00000003/c", ip);
    const other = await call(env, "/archive/00000004/d", "81.2.69.5"); // another client has its own share
    const firstRead = async (r: Response): Promise<number> => {
      const reader = r.body?.getReader();
      const length = (await reader?.read())?.value?.length ?? 0;
      reader?.releaseLock();
      return length;
    };
    expect(await firstRead(first.response)).toBe(1024);
    expect(await firstRead(second.response)).toBe(1024);
    expect(await firstRead(third.response)).toBeGreaterThan(4000); // the whole page at once
    expect(await firstRead(other.response)).toBe(1024);

    await readChunks(first.response); // this stream ends and frees its slot
    await first.settled();
    const fourth = await call(env, "/archive/00000005/e", ip);
    expect(await firstRead(fourth.response)).toBe(1024);
    const stats = await tarpitFor(env).stats();
    expect(stats.counters.fastServed).toBeGreaterThanOrEqual(1);
    expect(stats.counters.slowStreams).toBeGreaterThanOrEqual(1);
    for (const r of [second, fourth, other]) await r.response.body?.cancel();
  });

  it("frees the slot of a client that gives up", async () => {
    const { env } = envWith({ ...slow, STREAM_MAX_PER_CLIENT: "1" });
    const ip = "81.2.69.6";
    const first = await call(env, PAGE, ip);
    await first.response.body?.cancel();
    await first.settled();
    const second = await call(env, PAGE, ip);
    const reader = second.response.body?.getReader();
    expect((await reader?.read())?.value?.length).toBe(1024);
    await reader?.cancel();
  });

  it("answers HEAD without a body or a slot", async () => {
    const { env } = envWith(slow);
    const { response } = await call(env, PAGE, "81.2.69.7", "HEAD");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await response.text()).toBe("");
  });
});

describe("fake assets", () => {
  it("streams a JS bundle deterministically and slowly, cut off at the cap", async () => {
    const { env } = envWith({ ...slow, STREAM_DELAY_MS: "100", STREAM_MAX_SECONDS: "1" });
    const a = await call(env, SCRIPT, "81.2.69.8");
    expect(a.response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const first = await readChunks(a.response);
    // At most one at once, then one per 100 ms for 1 s: 11 chunks. A busy machine may reach the wall-time cap a
    // chunk or two sooner, so the count is bounded, not exact; either way the asset (far bigger) is cut off.
    expect(first.chunks.length).toBeGreaterThan(1);
    expect(first.chunks.length).toBeLessThanOrEqual(11);
    expect(first.chunks.every((c) => c.length === 1024)).toBe(true);
    const b = await call(env, SCRIPT, "81.2.69.9");
    const second = (await readChunks(b.response)).bytes;
    const common = Math.min(second.length, first.bytes.length);
    expect(second.subarray(0, common)).toEqual(first.bytes.subarray(0, common)); // the same bytes for everyone
    expect(new TextDecoder().decode(first.bytes.subarray(0, 40))).toMatch(/^"use strict";\(self\.webpackChunkapp/);
  });

  it("sends a client over its share at most FAST_ASSET_BYTES of an archive, the same bytes", async () => {
    const { env } = envWith({ ...slow, STREAM_MAX_PER_CLIENT: "0" });
    const { response } = await call(env, ARCHIVE, "81.2.69.10");
    expect(response.headers.get("content-type")).toBe("application/gzip");
    const { bytes } = await readChunks(response);
    expect(bytes.length).toBe(FAST_ASSET_BYTES);
    expect([...bytes.subarray(0, 3)]).toEqual([0x1f, 0x8b, 8]);
    const again = await call(env, ARCHIVE, "81.2.69.10");
    expect((await readChunks(again.response)).bytes).toEqual(bytes);
  });

  it("is a page like any other when FAKE_ASSETS is off", async () => {
    const { env } = envWith({ FAKE_ASSETS: "off", STREAM_DELAY_MS: "0" });
    const { response } = await call(env, SCRIPT, "81.2.69.11");
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await response.text()).not.toMatch(/\.js"/);
  });
});
