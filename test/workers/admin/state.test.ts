import { exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { createApp, productionDeps } from "../../../workers/admin/app";
import { loadSigningKey } from "../../../workers/admin/peers/keys";
import { createAdminState } from "../../../workers/admin/state";
import { ORIGIN, testEnv } from "./support";

const access = {
  teamDomain: "a.cloudflareaccess.com",
  issuer: "https://a.cloudflareaccess.com",
  audience: "aud",
  certsUrl: "https://a.cloudflareaccess.com/cdn-cgi/access/certs",
  roles: new Map<string, string>(),
};

describe("admin state", () => {
  it("keeps each cache in the state it was made with: two states share nothing", async () => {
    const one = createAdminState();
    const two = createAdminState();

    // Access key sets: one per team within a state, a separate one in another state.
    const keysOne = productionDeps(one).accessKeys;
    expect(keysOne(access)).toBe(keysOne(access));
    expect(productionDeps(two).accessKeys(access)).not.toBe(keysOne(access));
    expect([one.accessKeySets.size, two.accessKeySets.size]).toEqual([1, 1]);

    // Peer signing keys: parsed once per state.
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const jwk = JSON.stringify(await exportJWK(privateKey));
    const parsedOne = loadSigningKey(one.peers.signingKeys, jwk);
    expect(loadSigningKey(one.peers.signingKeys, jwk)).toBe(parsedOne);
    expect(loadSigningKey(two.peers.signingKeys, jwk)).not.toBe(parsedOne);
    expect((await parsedOne).kid).toBe((await loadSigningKey(two.peers.signingKeys, jwk)).kid);

    // The crawler-range index: built once per state.
    expect(one.safety.crawlers).toBe(one.safety.crawlers);
    expect(two.safety.crawlers).not.toBe(one.safety.crawlers);

    // The peering state rides inside the admin state and points at its safety loader.
    expect(one.peers.safety).toBe(one.safety);
    expect(two.peers.feedCache).not.toBe(one.peers.feedCache);
    expect(two.peers.pushes).not.toBe(one.peers.pushes);
  });

  it("an app fills only its own state: the parsed vars of a request stay with that app", async () => {
    const mine = createAdminState();
    const other = createAdminState();
    const app = createApp(undefined, mine);
    createApp(undefined, other);
    const env = testEnv();
    expect((await app.request(`${ORIGIN}/healthz`, {}, env)).status).toBe(200);
    expect(mine.configs.has(env)).toBe(true);
    expect(other.configs.has(env)).toBe(false);
  });

  it("keeps the push counts of one state from limiting another", async () => {
    const one = createAdminState();
    const two = createAdminState();
    const now = 1_000_000;
    while (one.peers.pushes.allowed("203.0.113.7", now));
    expect(two.peers.pushes.allowed("203.0.113.7", now)).toBe(true);
  });
});
