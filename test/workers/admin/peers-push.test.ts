import { describe, expect, it } from "vitest";
import { PUSH_JWS_TYPE } from "../../../core/peers/feed";
import { call, clock, entry, env, kvEntry, makeKeyPair, sign, signedPush } from "./peers-fixtures";

async function addPeer(body: Record<string, unknown>) {
  const response = await call("/api/peers", { method: "POST", body: JSON.stringify(body), role: "operator" });
  expect(response.status, await response.clone().text()).toBe(201);
}

const push = (jws: string) => call("/api/peers/push", { method: "POST", body: jws, headers: { "content-type": "application/jose" } });

describe("pushes from a peer", () => {
  it("applies a batch signed with the peer's pinned key and addressed to us; refuses replays, other audiences, unknown keys and tampering", async () => {
    const keys = await makeKeyPair();
    await addPeer({ name: "pusher", issuer: "p.test", publicJwk: keys.publicJwk, trust: "medium", action: "tarpit" });
    const ok = await push(await signedPush(keys, "p.test", "b.test", [entry("45.94.0.1"), entry("192.168.1.1")]));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ kind: "push", status: "ok", received: 2, applied: 1, rejected: { private_range: 1 } });
    expect(await kvEntry("ip:45.94.0.1")).toMatchObject({ action: "tarpit", source: "peer", reason: "peer pusher: scraper" });

    const replay = await push(await signedPush(keys, "p.test", "b.test", [entry("45.94.0.2")]));
    expect(replay.status).toBe(409);
    clock.now += 1000;
    const elsewhere = await push(await signedPush(keys, "p.test", "c.test", [entry("45.94.0.3")]));
    expect([elsewhere.status, ((await elsewhere.json()) as { error: string }).error]).toEqual([403, "wrong_audience"]);
    const stale = await push(await signedPush(keys, "p.test", "b.test", [entry("45.94.0.3")], clock.now - 3_600_000));
    expect(stale.status).toBe(400);
    const stranger = await makeKeyPair();
    const unknown = await push(await signedPush(stranger, "p.test", "b.test", [entry("45.94.0.3")]));
    expect([unknown.status, ((await unknown.json()) as { error: string }).error]).toEqual([401, "unknown_key"]);
    const [h, , s] = (await signedPush(keys, "p.test", "b.test", [entry("45.94.0.3")])).split(".");
    const forged = btoa(
      JSON.stringify({ version: 1, issuer: "p.test", audience: "b.test", issuedAt: clock.now, entries: [entry("45.94.0.66")] }),
    ).replace(/=+$/, "");
    const tampered = await push(`${h}.${forged.replace(/\+/g, "-").replace(/\//g, "_")}.${s}`);
    expect([tampered.status, ((await tampered.json()) as { error: string }).error]).toEqual([401, "invalid_signature"]);
    const asFeed = await push(await sign(keys, { version: 1, issuer: "p.test", audience: "b.test", issuedAt: clock.now + 5, entries: [] }));
    expect(((await asFeed.json()) as { error: string }).error).toBe("wrong_type");
    expect(await kvEntry("ip:45.94.0.3")).toBeNull();
    expect(await kvEntry("ip:45.94.0.66")).toBeNull();

    const page = (await (await call("/api/peers", { role: "viewer" })).json()) as {
      peers: Array<{ name: string; lastSync: { status: string }; totals: { applied: number } }>;
    };
    expect(page.peers.find((p) => p.name === "pusher")).toMatchObject({ lastSync: { status: "wrong_type" }, totals: { applied: 1 } });
    expect(PUSH_JWS_TYPE).toBe("edge-guard-push+jws");
  });
});

describe("plain list imports", () => {
  it("vets a community list under the peer's trust level and names refused lines; a dry run writes nothing", async () => {
    await addPeer({ name: "community", kind: "list", trust: "low" });
    const text = [
      "# a community list",
      "45.93.0.1",
      "45.93.0.0/24 ; too wide for low trust",
      "",
      "10.1.2.3",
      "bogus",
      "45.93.0.2 # ok",
    ].join("\n");
    const dry = await call("/api/peers/community/import", {
      method: "POST",
      body: JSON.stringify({ text, dryRun: true }),
      role: "operator",
    });
    expect(dry.status).toBe(200);
    const body = (await dry.json()) as {
      received: number;
      applied: number;
      rejected: Record<string, number>;
      rejections: Array<{ line: number; reason: string }>;
    };
    expect(body).toMatchObject({ received: 5, applied: 0, rejected: { too_broad: 1, private_range: 1, malformed: 1 } });
    expect(body.rejections.map((r) => [r.line, r.reason])).toEqual([
      [3, "too_broad"],
      [5, "private_range"],
      [6, "malformed"],
    ]);
    expect(await kvEntry("ip:45.93.0.1")).toBeNull();

    const real = await call("/api/peers/community/import", { method: "POST", body: JSON.stringify({ text }), role: "operator" });
    expect(await real.json()).toMatchObject({ kind: "import", applied: 2 });
    expect(await kvEntry("ip:45.93.0.2")).toMatchObject({ source: "peer", reason: "peer community: list line 7" });
    expect((await call("/api/peers/nobody/import", { method: "POST", body: JSON.stringify({ text }), role: "operator" })).status).toBe(404);
  });
});

describe("managing peers", () => {
  it("needs a viewer to read and an operator to change; invalid input is a 400", async () => {
    expect((await call("/api/peers")).status).toBe(401);
    expect((await call("/api/peers", { method: "POST", body: JSON.stringify({ name: "x", trust: "low" }), role: "viewer" })).status).toBe(
      403,
    );
    expect((await call("/api/peers/sync", { method: "POST", body: "{}", role: "viewer" })).status).toBe(403);
    expect((await call("/api/peers", { method: "POST", body: JSON.stringify({ name: "Bad Name!" }), role: "operator" })).status).toBe(400);
    expect(
      (await call("/api/peers", { method: "POST", body: JSON.stringify({ name: "y", trust: "total" }), role: "operator" })).status,
    ).toBe(400);
    const keys = await makeKeyPair();
    const mismatch = await call("/api/peers", {
      method: "POST",
      body: JSON.stringify({ name: "z", publicJwk: keys.publicJwk, keyThumbprint: "A".repeat(43) }),
      role: "operator",
    });
    expect(mismatch.status).toBe(400);
  });

  it("changes trust, re-pins on request, and removes a peer with the entries it wrote (never an operator's)", async () => {
    const keys = await makeKeyPair();
    await addPeer({ name: "gone", issuer: "g.test", publicJwk: keys.publicJwk, trust: "low" });
    clock.now += 1000;
    expect((await push(await signedPush(keys, "g.test", "b.test", [entry("45.92.0.1"), entry("45.92.0.2")]))).status).toBe(200);
    await env.BLOCKLIST.put("ip:45.92.0.2", JSON.stringify({ action: "block", reason: "mine now", source: "operator", at: 1 }));
    const patched = await call("/api/peers/gone", {
      method: "PATCH",
      body: JSON.stringify({ trust: "high", repin: true }),
      role: "operator",
    });
    expect(await patched.json()).toMatchObject({ trust: "high", pinned: false, keyThumbprint: null });
    const removed = await call("/api/peers/gone?purge=true", { method: "DELETE", role: "operator" });
    expect(await removed.json()).toEqual({ removed: true, purged: 1 });
    expect(await kvEntry("ip:45.92.0.1")).toBeNull();
    expect(await kvEntry("ip:45.92.0.2")).toMatchObject({ source: "operator" });
    expect((await call("/api/peers/gone", { method: "DELETE", role: "operator" })).status).toBe(404);
  });
});
