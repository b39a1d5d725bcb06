import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDb } from "../../../adapters/db/client";
import { peerSyncs, peers } from "../../../adapters/db/schema";
import { PUSH_RATE_PER_MINUTE } from "../../../workers/admin/peers/state";
import { MAX_FEED_BYTES, fetchText, syncPeers } from "../../../workers/admin/peers/sync";
import { call, clock, entry, env, makeKeyPair, peersState, remotePeer, signedFeed, signedPush } from "./peers-fixtures";

async function addPeer(body: Record<string, unknown>) {
  const response = await call("/api/peers", { method: "POST", body: JSON.stringify(body), role: "operator" });
  expect(response.status, await response.clone().text()).toBe(201);
}
const peerRow = async (name: string) => (await withDb(env, (d) => d.select().from(peers).where(eq(peers.name, name))))[0];
const syncRows = async (peerId: number) => withDb(env, (d) => d.select().from(peerSyncs).where(eq(peerSyncs.peerId, peerId)));

/** A body of `total` bytes in 64 KiB chunks, with no content-length, counting what was pulled from it. */
function countedStream(total: number) {
  const pulled = { bytes: 0 };
  const chunk = new Uint8Array(64 * 1024).fill(0x41);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.bytes >= total) return controller.close();
      pulled.bytes += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { body, pulled };
}

describe("peer fetches", () => {
  it("stops reading a feed with no content-length at the byte cap", async () => {
    const stream = countedStream(MAX_FEED_BYTES * 3);
    const result = await fetchText(async () => new Response(stream.body), "https://big.test/api/peers/feed", "application/jose", false);
    expect(result.ok ? "read" : result.error.status).toBe("too_large");
    expect(stream.pulled.bytes).toBeLessThanOrEqual(MAX_FEED_BYTES + 128 * 1024);
  });

  it("never follows a redirect: a 3xx is a failure", async () => {
    const seen: RequestInit[] = [];
    const redirecting: typeof fetch = async (_input, init) => {
      seen.push(init ?? {});
      return init?.redirect === "manual"
        ? new Response(null, { status: 302, headers: { location: "http://evil.test/list.txt" } })
        : new Response("45.1.1.1\n");
    };
    const result = await fetchText(redirecting, "https://list.test/list.txt", "text/plain", false);
    expect(result.ok ? "read" : result.error.status).toBe("redirected");
    expect(seen[0]?.redirect).toBe("manual");
  });

  it("pins no key on first contact unless the operator gave its thumbprint", async () => {
    const x = await remotePeer("x.test");
    x.publish(await signedFeed(x.keys, "x.test", [entry("45.101.0.1")]));
    await addPeer({ name: "no-thumb", feedUrl: x.feedUrl, trust: "medium" });
    const [outcome] = await syncPeers(env, peersState.safety, clock.now, (await import("./peers-fixtures")).fakeFetch, "no-thumb");
    expect(outcome).toMatchObject({ status: "thumbprint_required", applied: 0 });
    expect((await peerRow("no-thumb"))?.publicJwk).toBeNull();

    await addPeer({ name: "with-thumb", feedUrl: x.feedUrl, keyThumbprint: x.keys.kid, trust: "medium" });
    const [pinned] = await syncPeers(env, peersState.safety, clock.now, (await import("./peers-fixtures")).fakeFetch, "with-thumb");
    expect(pinned).toMatchObject({ status: "ok", applied: 1 });
    expect((await peerRow("with-thumb"))?.keyThumbprint).toBe(x.keys.kid);
  });
});

describe("pushes", () => {
  const push = (jws: string, ip: string) =>
    call("/api/peers/push", { method: "POST", body: jws, headers: { "content-type": "application/jose", "cf-connecting-ip": ip } });

  it("writes nothing and leaves the peer's status alone for junk naming its key, until a signature verifies", async () => {
    const keys = await makeKeyPair();
    await addPeer({ name: "victim", issuer: "v.test", publicJwk: keys.publicJwk, trust: "medium" });
    const victim = await peerRow("victim");
    if (victim === undefined) throw new Error("no peer");
    const good = await signedPush(keys, "v.test", "b.test", [entry("45.102.0.1")]);
    const [h, p] = good.split(".");
    const stranger = await makeKeyPair();
    const foreign = (await signedPush(stranger, "v.test", "b.test", [])).split(".")[2];
    for (const junk of [`${h}.${p}.${foreign}`, `${h}.bm90IGpzb24.${foreign}`, `${h}..`, `${h}.${p}.AAAA`]) {
      const r = await push(junk, "203.0.113.90");
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
    expect(await syncRows(victim.id)).toEqual([]);
    expect((await peerRow("victim"))?.lastPushIssuedAt).toBeNull();
    expect((await push(good, "203.0.113.90")).status).toBe(200);
    expect((await syncRows(victim.id)).map((r) => r.status)).toEqual(["ok"]);
  });

  it(`refuses more than ${PUSH_RATE_PER_MINUTE} pushes a minute from one address`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= PUSH_RATE_PER_MINUTE; i++) statuses.push((await push("eyJhbGciOiJFZERTQSJ9.e30.AAAA", "203.0.113.91")).status);
    expect(statuses.slice(0, PUSH_RATE_PER_MINUTE).every((s) => s === 400 || s === 401)).toBe(true);
    const last = await push("eyJhbGciOiJFZERTQSJ9.e30.AAAA", "203.0.113.91");
    expect(last.status).toBe(429);
    expect(await last.json()).toMatchObject({ error: "rate_limited" });
    expect((await push("eyJhbGciOiJFZERTQSJ9.e30.AAAA", "203.0.113.92")).status).not.toBe(429);
  });
});

describe("the public feed", () => {
  it("is built once and served from cache for a minute, with a Cache-Control the CDN can use", async () => {
    const first = await call("/api/peers/feed");
    expect(first.status).toBe(200);
    const firstText = await first.text();
    clock.now += 1_000;
    const second = await call("/api/peers/feed");
    expect(await second.text()).toBe(firstText);
    expect(second.headers.get("cache-control")).toMatch(/max-age=\d+/);
    clock.now += 120_000;
    expect(await (await call("/api/peers/feed")).text()).not.toBe(firstText);
  });
});
