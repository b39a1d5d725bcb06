import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../../dev/stack";
import { startTestStack } from "../support/test-stack";
import { generatePeerKeyPair } from "../../scripts/ops/peer-key";

const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const GPTBOT_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";
/** The crawler deployment A learns to block (TEST-NET-2: public for the dev stack, which runs with DEV_MODE=on). */
const CRAWLER_IP = "198.51.100.77";
/** What a tampered copy of A's feed adds. */
const FORGED_IP = "198.51.100.99";

let a: Stack;
let b: Stack;
let fakePeer: Server;
let fakePeerUrl = "";
let tamperedFeed = "";

/** Two deployments with separate state (KV, Durable Objects, Postgres), each with its own peering key. */
beforeAll(async () => {
  const [keyA, keyB] = await Promise.all([generatePeerKeyPair(), generatePeerKeyPair()]);
  const admin = (issuer: string, jwk: Record<string, string>) => ({
    "edge-guard-admin": { PEER_SIGNING_JWK: JSON.stringify(jwk), PEER_ISSUER: issuer },
  });
  a = await startTestStack({ vars: admin("stack-a", keyA.privateJwk) });
  b = await startTestStack({ vars: admin("stack-b", keyB.privateJwk) });
  // A fake peer on loopback: serves A's feed with one entry added after signing.
  fakePeer = createServer((req, res) => {
    if (req.url === "/api/peers/feed") res.writeHead(200, { "content-type": "application/jose" }).end(tamperedFeed);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => fakePeer.listen(0, "127.0.0.1", resolve));
  fakePeerUrl = `http://127.0.0.1:${(fakePeer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => fakePeer?.close(resolve));
  await Promise.all([a?.stop(), b?.stop()]);
});

function edge(stack: Stack, path: string, ip: string, userAgent: string): Promise<Response> {
  return fetch(`${stack.edgeUrl}${path}`, { headers: { "user-agent": userAgent, "cf-connecting-ip": ip, accept: "text/html" } });
}

async function status(stack: Stack, ip: string): Promise<number> {
  const response = await edge(stack, "/", ip, CHROME_UA);
  await response.body?.cancel();
  return response.status;
}

function admin(stack: Stack, path: string, body?: unknown, method = body === undefined ? "GET" : "POST"): Promise<Response> {
  return fetch(`${stack.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.secrets.ADMIN_DEV_TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function until(deadlineMs: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

type PeerView = { name: string; pinned: boolean; lastSync: { status: string; applied: number; received: number } | null };

describe("peers: two deployments", () => {
  it("a block learned by deployment A reaches B's edge after B's cron syncs A's signed feed", async () => {
    // A learns the crawler the ordinary way: GPTBot walks its tarpit until escalation blocklists the IP.
    let blocked = false;
    for (let i = 0; i < 400 && !blocked; i++) {
      const response = await edge(a, `/archive/hop-${i}`, CRAWLER_IP, GPTBOT_UA);
      blocked = response.status === 403;
      await response.body?.cancel();
      if (!blocked) await new Promise((r) => setTimeout(r, i < 10 ? 50 : 300));
    }
    expect(blocked).toBe(true);
    expect(await status(b, CRAWLER_IP)).toBe(200); // B has never heard of it.

    // B's operator adds A, pinning the key thumbprint A's operator gave out of band.
    const keyDoc = (await (await fetch(`${a.adminUrl}/.well-known/edge-guard/peer-key`)).json()) as {
      issuer: string;
      keys: Array<{ kid: string }>;
    };
    expect(keyDoc.issuer).toBe("stack-a");
    const added = await admin(b, "/api/peers", {
      name: "stack-a",
      feedUrl: `${a.adminUrl}/api/peers/feed`,
      keyThumbprint: keyDoc.keys[0]?.kid,
      trust: "medium",
    });
    expect(added.status, await added.clone().text()).toBe(201);

    // B's Cron Trigger fires.
    const worker = await b.miniflare.getWorker("edge-guard-admin");
    await worker.scheduled({ cron: "*/15 * * * *" });
    const peers = (await (await admin(b, "/api/peers")).json()) as { peers: PeerView[] };
    const view = peers.peers.find((p) => p.name === "stack-a");
    expect(view?.pinned).toBe(true);
    expect(view?.lastSync).toMatchObject({ status: "ok" });
    expect(view?.lastSync?.applied).toBeGreaterThanOrEqual(1);
    const kv = await b.miniflare.getKVNamespace("BLOCKLIST", "edge-guard");
    expect(await kv.get(`ip:${CRAWLER_IP}`, "json")).toMatchObject({
      source: "peer",
      action: "block",
      reason: expect.stringMatching(/^peer stack-a: /),
    });

    // B's edge now refuses the crawler (its blocklist cache forgets the earlier "not listed" within seconds); others pass.
    expect(await until(30_000, async () => (await status(b, CRAWLER_IP)) === 403)).toBe(true);
    expect(await status(b, "198.51.100.78")).toBe(200);
  });

  it("rejects a tampered copy of A's feed and applies nothing from it", async () => {
    const genuine = await (await fetch(`${a.adminUrl}/api/peers/feed`)).text();
    const [header, payload, signature] = genuine.split(".");
    const feed = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as { entries: unknown[]; issuedAt: number };
    feed.entries.push({
      scope: "ip",
      value: FORGED_IP,
      reason: "forged",
      confidence: 1,
      firstSeen: feed.issuedAt,
      lastSeen: feed.issuedAt,
      expiresAt: feed.issuedAt + 86_400_000,
    });
    tamperedFeed = `${header}.${Buffer.from(JSON.stringify(feed)).toString("base64url")}.${signature}`;
    // An attacker on the path to A serves the altered feed in its place (B keeps A's pinned key).
    const moved = await admin(b, "/api/peers/stack-a", { feedUrl: `${fakePeerUrl}/api/peers/feed` }, "PATCH");
    expect(moved.status, await moved.clone().text()).toBe(200);

    const synced = (await (await admin(b, "/api/peers/sync", { name: "stack-a" })).json()) as {
      outcomes: Array<{ status: string; applied: number }>;
    };
    expect(synced.outcomes).toEqual([expect.objectContaining({ status: "invalid_signature", applied: 0 })]);
    const kv = await b.miniflare.getKVNamespace("BLOCKLIST", "edge-guard");
    expect(await kv.get(`ip:${FORGED_IP}`)).toBeNull();
    expect(await status(b, FORGED_IP)).toBe(200);
  });

  it("keeps the operator routes behind admin's login in the real wiring, and documents them", async () => {
    expect((await fetch(`${b.adminUrl}/api/peers`)).status).toBe(401);
    expect(
      (await fetch(`${b.adminUrl}/api/peers/sync`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status,
    ).toBe(401);
    const doc = (await (await fetch(`${b.adminUrl}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { "x-required-role"?: string }>>;
    };
    expect(doc.paths["/api/peers"]?.post?.["x-required-role"]).toBe("operator");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/peers/feed", "/api/peers/push", "/api/peers/{name}/import", "/.well-known/edge-guard/peer-key"]),
    );
  });
});
