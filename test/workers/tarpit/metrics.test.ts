import { describe, expect, it } from "vitest";
import { call, envWith, readChunks, tarpitFor } from "./support";

// Storage is per test file, so the TarpitMetrics object starts empty here and its totals can be compared exactly.
const slow = { STREAM_DELAY_MS: "20", STREAM_CHUNK_BYTES: "1024", STREAM_MAX_SECONDS: "5", STREAM_MAX_PER_CLIENT: "4" };
const STREAMS = 5;

describe("tarpit counts that survive", () => {
  it(`finds exactly the totals of ${STREAMS} slow streams in metrics() once they end, with no later request`, async () => {
    const { env } = envWith(slow);
    const served = await Promise.all(
      Array.from({ length: STREAMS }, (_, i) => call(env, `/archive/0000000${i}/page-${i}`, `81.2.70.${i + 1}`)),
    );
    let bytes = 0;
    let chunks = 0;
    for (const { response, settled } of served) {
      const read = await readChunks(response);
      bytes += read.bytes.length;
      chunks += read.chunks.length;
      await settled(); // the invocation ends with the stream: its waitUntil has flushed the counts
    }
    const { totals } = await tarpitFor(env).metrics(10);
    expect(totals).toMatchObject({ pages: STREAMS, slowStreams: STREAMS, fastServed: 0, bytes, chunks, hops: STREAMS });
    expect(totals.heldMs).toBeGreaterThanOrEqual(STREAMS * (chunks / STREAMS - 1) * 20 * 0.9);
    // Nothing waits in isolate memory: what this isolate counted is what the Durable Object holds.
    const { counters } = await tarpitFor(env).stats();
    expect(counters).toEqual(Object.fromEntries(Object.keys(counters).map((k) => [k, totals[k as keyof typeof counters]])));
  });

  it("flushes a page served at full speed (a client over its share) and a HEAD at the end of their invocation", async () => {
    const { env } = envWith({ ...slow, STREAM_MAX_PER_CLIENT: "0" });
    const before = (await tarpitFor(env).metrics(10)).totals;
    const fast = await call(env, "/archive/00000010/fast", "81.2.70.20");
    const text = await fast.response.text();
    await fast.settled();
    const head = await call(env, "/archive/00000011/head", "81.2.70.21", "HEAD");
    await head.settled();
    const after = (await tarpitFor(env).metrics(10)).totals;
    expect(after.pages - before.pages).toBe(2);
    expect(after.fastServed - before.fastServed).toBe(1);
    expect(after.bytes - before.bytes).toBe(new TextEncoder().encode(text).length);
  });
});
