import { describe, expect, it } from "vitest";
import { PeerFeedSchema, PeerPublicJwkSchema, PeerPushSchema } from "../../../core/peers/feed";
import { buildFeed, prefixConfidence, publishableEntries } from "../../../core/peers/publish";

describe("feed format", () => {
  it("accepts a feed whose entries are checked later, one by one", () => {
    const feed = { version: 1, issuer: "a.example", issuedAt: 5, entries: [{ anything: true }] };
    expect(PeerFeedSchema.safeParse(feed).success).toBe(true);
    expect(PeerFeedSchema.safeParse({ ...feed, version: 2 }).success).toBe(false);
    expect(PeerPushSchema.safeParse(feed).success).toBe(false); // a push must name its audience
    expect(PeerPushSchema.safeParse({ ...feed, audience: "b.example" }).success).toBe(true);
  });

  it("takes only Ed25519 public keys", () => {
    const x = "SQQQA2s40t9um_ynjbymfILlq7dZ18I5PwEvPXsSFwQ";
    expect(PeerPublicJwkSchema.safeParse({ kty: "OKP", crv: "Ed25519", x }).success).toBe(true);
    expect(PeerPublicJwkSchema.safeParse({ kty: "OKP", crv: "X25519", x }).success).toBe(false);
    expect(PeerPublicJwkSchema.safeParse({ kty: "oct", k: x }).success).toBe(false);
  });
});

describe("publishing", () => {
  it("publishes blocked IPs and prefix blocks, newest first, each expiring a TTL after it was last seen", () => {
    const entries = publishableEntries(
      [{ ip: "8.8.4.4", confidence: 0.97123, firstSeen: 100, lastSeen: 2_000 }],
      [{ cidr: "8.8.8.0/24", at: 3_000, expiresAt: 90_000, botIps: 5 }],
      60,
      10,
    );
    expect(entries).toEqual([
      {
        scope: "cidr",
        value: "8.8.8.0/24",
        reason: "escalation: 5 bot IPs in prefix",
        confidence: 0.969,
        firstSeen: 3_000,
        lastSeen: 3_000,
        expiresAt: 90_000,
      },
      { scope: "ip", value: "8.8.4.4", reason: "escalation: bot", confidence: 0.971, firstSeen: 100, lastSeen: 2_000, expiresAt: 62_000 },
    ]);
    expect(buildFeed("me", 7, entries)).toMatchObject({ version: 1, issuer: "me", issuedAt: 7 });
    expect(publishableEntries([], [{ cidr: "8.8.8.0/24", at: 1, expiresAt: 2, botIps: 1 }], 60, 0)).toEqual([]);
  });

  it("grows prefix confidence with the number of bot IPs, below certainty", () => {
    expect(prefixConfidence(1)).toBe(0.5);
    expect(prefixConfidence(5)).toBeCloseTo(0.969, 3);
    expect(prefixConfidence(50)).toBe(0.99);
  });
});
