import { sql } from "drizzle-orm";
import { compactVerify, importJWK } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { BlocklistStore } from "../../../adapters/blocklist-store";
import { withDb } from "../../../adapters/db/client";
import { decisions } from "../../../adapters/db/schema";
import { PeerFeedSchema } from "../../../core/peers/feed";
import { TRUST_LIMITS } from "../../../core/peers/trust";
import { syncPeers } from "../../../workers/admin/peers/sync";
import {
  HOUR,
  call,
  clock,
  entry,
  env,
  exec,
  fakeFetch,
  fetched,
  kvEntry,
  ours,
  peersState,
  remotePeer,
  remotes,
  sign,
  signedFeed,
} from "./peers-fixtures";

afterAll(async () => {
  await exec(sql`DELETE FROM decisions WHERE report_id LIKE 'peers-test-%'`);
});

async function addPeer(body: Record<string, unknown>) {
  const response = await call("/api/peers", { method: "POST", body: JSON.stringify(body), role: "operator" });
  expect(response.status, await response.clone().text()).toBe(201);
}

async function syncNow(name: string) {
  const response = await call("/api/peers/sync", { method: "POST", body: JSON.stringify({ name }), role: "operator" });
  expect(response.status).toBe(200);
  const { outcomes } = (await response.json()) as { outcomes: Array<Record<string, unknown> & { rejected: Record<string, number> }> };
  expect(outcomes).toHaveLength(1);
  const [outcome] = outcomes;
  if (outcome === undefined) throw new Error("no outcome");
  return outcome;
}

async function peerView(name: string) {
  const page = (await (await call("/api/peers", { role: "viewer" })).json()) as {
    peers: Array<Record<string, unknown> & { name: string }>;
  };
  return page.peers.find((p) => p.name === name);
}

describe("publishing", () => {
  it("publishes the public key (kid = thumbprint) at the well-known URL, never the private part", async () => {
    const response = await call("/.well-known/edge-guard/peer-key");
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { issuer: string; keys: Array<Record<string, string>>; feed: string };
    expect(doc).toMatchObject({ issuer: "b.test", feed: "https://b.test/api/peers/feed" });
    expect(doc.keys).toEqual([{ kty: "OKP", crv: "Ed25519", x: ours.publicJwk.x, kid: ours.kid, alg: "EdDSA", use: "sig" }]);
    const disabled = await call("/.well-known/edge-guard/peer-key", {}, { ...env, PEER_SIGNING_JWK: "" });
    expect(disabled.status).toBe(404);
    expect(await disabled.json()).toMatchObject({ error: "peering_disabled" });
  });

  it("signs a feed of confident escalation blocks only: not low scores, not blocks of already-listed IPs, not what peers taught us", async () => {
    const at = new Date(clock.now - HOUR);
    const row = {
      at,
      source: "edge",
      method: "GET",
      path: "/",
      userAgent: "GPTBot",
      edgeAction: "tarpit",
      edgeScore: 50,
      verdict: "bot",
      blocked: true,
    };
    await withDb(env, (db) =>
      db.insert(decisions).values([
        { ...row, reportId: "peers-test-1", ip: "45.95.1.1", score: 0.97, reasons: [{ code: "ua-ai-crawler", weight: 50 }] },
        { ...row, reportId: "peers-test-2", ip: "45.95.1.2", score: 0.4, reasons: [{ code: "ua-ai-crawler", weight: 50 }] },
        { ...row, reportId: "peers-test-3", ip: "45.95.1.3", score: 0.99, reasons: [{ code: "blocklist-ip", weight: 1000 }] },
        { ...row, reportId: "peers-test-4", ip: "45.95.1.4", score: 0.99, reasons: [{ code: "ua-ai-crawler", weight: 50 }] },
        { ...row, reportId: "peers-test-5", ip: "45.95.1.5", score: 0.99, reasons: [], at: new Date(clock.now - 3 * 86_400_000) },
      ]),
    );
    const learned = await remotePeer("learned.test");
    await addPeer({ name: "learned", feedUrl: learned.feedUrl, keyThumbprint: learned.keys.kid, trust: "high" });
    learned.publish(await signedFeed(learned.keys, "learned.test", [entry("45.95.1.4")]));
    expect(await syncNow("learned")).toMatchObject({ status: "ok", applied: 1 });

    const response = await call("/api/peers/feed");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/jose");
    const { payload, protectedHeader } = await compactVerify(
      new TextDecoder().decode(await response.arrayBuffer()),
      await importJWK(ours.publicJwk, "EdDSA"),
      { algorithms: ["EdDSA"] },
    );
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", kid: ours.kid, typ: "edge-guard-feed+jws" });
    const feed = PeerFeedSchema.parse(JSON.parse(new TextDecoder().decode(payload)));
    expect(feed).toMatchObject({ version: 1, issuer: "b.test", issuedAt: clock.now });
    const ips = feed.entries.map((e) => (e as { value: string }).value).filter((v) => v.startsWith("45.95.1."));
    expect(ips).toEqual(["45.95.1.1"]);
    expect(feed.entries).toContainEqual({
      scope: "ip",
      value: "45.95.1.1",
      reason: "escalation: bot",
      confidence: 0.97,
      firstSeen: at.getTime(),
      lastSeen: at.getTime(),
      expiresAt: at.getTime() + 86_400_000,
    });
  });
});

describe("syncing a peer's feed", () => {
  it("pins the peer's key on first contact (matching the thumbprint given), applies safe entries with source peer and a bounded TTL, and counts the rest by reason", async () => {
    const a = await remotePeer("a.test");
    const partner = { reason: "partner", source: "operator" as const, by: "test", at: 0 };
    await new BlocklistStore(env, "operator").put([{ key: "allow:45.96.0.9", entry: partner, ttlSeconds: null }], clock.now);
    await env.BLOCKLIST.put("ip:45.96.0.8", JSON.stringify({ action: "tarpit", reason: "operator says", source: "operator", at: 1 }));
    a.publish(
      await signedFeed(a.keys, "a.test", [
        entry("45.96.0.1", { expiresAt: clock.now + 30 * 86_400_000 }),
        entry("45.96.1.0/28"),
        entry("10.0.0.1"),
        entry("45.96.0.9"),
        entry("13.66.139.7"),
        entry("45.96.0.2", { confidence: 0.5 }),
        entry("45.96.0.3", { expiresAt: clock.now - 1, lastSeen: clock.now - 2, firstSeen: clock.now - 3 }),
        entry("45.0.0.0/8"),
        { scope: "ip", value: "junk" },
        entry("45.96.0.8"),
      ]),
    );
    await addPeer({ name: "a", feedUrl: a.feedUrl, keyThumbprint: a.keys.kid, trust: "medium" });
    const outcome = await syncNow("a");
    expect(outcome).toMatchObject({ status: "ok", received: 10, applied: 2, kept: 1 });
    expect(outcome.rejected).toEqual({
      private_range: 1,
      covers_allowlisted: 1,
      covers_verified_crawler: 1,
      low_confidence: 1,
      expired: 1,
      too_broad: 1,
      malformed: 1,
    });
    expect(fetched).toContain("https://a.test/.well-known/edge-guard/peer-key");

    expect(await kvEntry("ip:45.96.0.1")).toMatchObject({ action: "block", source: "peer", reason: "peer a: scraper", score: 0.99 });
    expect(await kvEntry("cidr:45.96.1.0/28")).toMatchObject({ source: "peer" });
    expect(await kvEntry("ip:45.96.0.8")).toMatchObject({ source: "operator", action: "tarpit" });
    expect(await kvEntry("ip:10.0.0.1")).toBeNull();
    const listed = await env.BLOCKLIST.list({ prefix: "ip:45.96.0.1" });
    const expiration = listed.keys[0]?.expiration ?? 0;
    expect(expiration * 1000 - Date.now()).toBeLessThanOrEqual(TRUST_LIMITS.medium.maxTtlSeconds * 1000 + 5_000);

    const view = await peerView("a");
    expect(view).toMatchObject({ trust: "medium", pinned: true, keyThumbprint: a.keys.kid, issuer: "a.test", activeEntries: 2 });
    expect(view?.lastSync).toMatchObject({ kind: "feed", status: "ok", received: 10, applied: 2, rejected: outcome.rejected });
    expect(view?.totals).toMatchObject({ received: 10, applied: 2, rejected: outcome.rejected });

    // The same feed again: nothing to do. An older one: a replay.
    expect(await syncNow("a")).toMatchObject({ status: "not_modified", applied: 0 });
    a.publish(await signedFeed(a.keys, "a.test", [entry("45.96.0.5")], clock.now - 60_000));
    expect(await syncNow("a")).toMatchObject({ status: "replayed", applied: 0 });
    // A newer feed repeating held entries rewrites nothing.
    a.publish(await signedFeed(a.keys, "a.test", [entry("45.96.0.1", { expiresAt: clock.now + 30 * 86_400_000 })], clock.now + 1));
    expect(await syncNow("a")).toMatchObject({ status: "ok", applied: 0, unchanged: 1 });
  });

  it("rejects a tampered feed, a feed signed by another key, alg none and HMAC, and applies nothing", async () => {
    const t = await remotePeer("t.test");
    await addPeer({ name: "t", feedUrl: t.feedUrl, trust: "high", publicJwk: t.keys.publicJwk });
    const good = await signedFeed(t.keys, "t.test", [entry("45.97.0.1")]);
    const [h, p, s] = good.split(".");
    const forged = btoa(JSON.stringify({ version: 1, issuer: "t.test", issuedAt: clock.now, entries: [entry("45.97.0.66")] }))
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const other = await remotePeer("other.test");
    const cases: Array<[string, string]> = [
      [`${h}.${forged}.${s}`, "invalid_signature"],
      [await signedFeed(other.keys, "t.test", [entry("45.97.0.66")]), "unknown_key"],
      [await signedFeed(other.keys, "t.test", [entry("45.97.0.66")], clock.now, { kid: t.keys.kid }), "invalid_signature"],
      [`${b64({ alg: "none", typ: "edge-guard-feed+jws" })}.${p}.`, "unsupported_alg"],
      [`${b64({ alg: "HS256", kid: t.keys.kid, typ: "edge-guard-feed+jws" })}.${p}.${s}`, "unsupported_alg"],
      [
        await sign(
          t.keys,
          { version: 1, issuer: "t.test", issuedAt: clock.now, entries: [entry("45.97.0.66")] },
          { typ: "edge-guard-push+jws" },
        ),
        "wrong_type",
      ],
      [await signedFeed(t.keys, "mallory.test", [entry("45.97.0.66")]), "issuer_mismatch"],
      [await signedFeed(t.keys, "t.test", [entry("45.97.0.66")], clock.now - 2 * 86_400_000), "stale_feed"],
      ["not a jws", "malformed_jws"],
    ];
    for (const [jws, status] of cases) {
      t.publish(jws);
      expect(await syncNow("t"), status).toMatchObject({ status, applied: 0, received: 0 });
    }
    expect(await kvEntry("ip:45.97.0.66")).toBeNull();
    expect(await kvEntry("ip:45.97.0.1")).toBeNull();
    t.publish(good);
    expect(await syncNow("t")).toMatchObject({ status: "ok", applied: 1 });
    expect((await peerView("t"))?.lastSync).toMatchObject({ status: "ok" });
  });

  it("refuses a key document whose key does not match the thumbprint given out of band", async () => {
    const k = await remotePeer("k.test");
    await addPeer({ name: "k", feedUrl: k.feedUrl, keyThumbprint: "A".repeat(43) });
    k.publish(await signedFeed(k.keys, "k.test", [entry("45.97.1.1")]));
    expect(await syncNow("k")).toMatchObject({ status: "bad_key_document" });
    expect((await peerView("k"))?.pinned).toBe(false);
  });

  it("caps a low-trust peer per sync, keeping the most confident", async () => {
    const c = await remotePeer("c.test");
    await addPeer({ name: "c", feedUrl: c.feedUrl, keyThumbprint: c.keys.kid, trust: "low" });
    const many = Array.from({ length: 150 }, (_, i) =>
      entry(`45.98.${Math.floor(i / 100)}.${i % 100}`, { confidence: i < 100 ? 0.99 : 0.96 }),
    );
    c.publish(await signedFeed(c.keys, "c.test", many));
    const outcome = await syncNow("c");
    expect(outcome).toMatchObject({ status: "ok", applied: TRUST_LIMITS.low.maxPerSync });
    expect(outcome.rejected).toEqual({ over_cap: 50 });
    expect(await kvEntry("ip:45.98.0.99")).not.toBeNull();
    expect(await kvEntry("ip:45.98.1.0")).toBeNull();
  });

  it("records an unreachable peer and goes on with the next (the cron path)", async () => {
    const d = await remotePeer("d.test");
    const e = await remotePeer("e.test");
    await addPeer({ name: "cron-d", feedUrl: d.feedUrl, keyThumbprint: d.keys.kid, trust: "high" });
    await addPeer({ name: "cron-e", feedUrl: e.feedUrl, keyThumbprint: e.keys.kid, trust: "high" });
    remotes.set("d.test", { status: 503 });
    e.publish(await signedFeed(e.keys, "e.test", [entry("45.99.0.1")]));
    const outcomes = await syncPeers(env, peersState.safety, clock.now, fakeFetch);
    expect(outcomes.find((o) => o.peer === "cron-d")).toMatchObject({ status: "fetch_failed" });
    expect(outcomes.find((o) => o.peer === "cron-e")).toMatchObject({ status: "ok", applied: 1 });
    expect((await peerView("cron-d"))?.lastSync).toMatchObject({
      status: "fetch_failed",
      error: "https://d.test/.well-known/edge-guard/peer-key answered 503",
    });
  });
});
