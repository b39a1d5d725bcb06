import { calculateJwkThumbprint } from "jose";
import { describe, expect, it } from "vitest";
import {
  DIRECTORY_PATH, DIRECTORY_TIMEOUT_MS, DIRECTORY_TTL_MS, DirectoryCache, verifyWebBotAuth, type FetchDirectory,
} from "../../../workers/edge-guard/web-bot-auth";

const BOT = "https://bot.example";

interface Signer {
  readonly privateKey: CryptoKey;
  readonly jwk: { readonly kty: string; readonly crv: string; readonly x: string };
  readonly keyid: string;
}

async function newSigner(): Promise<Signer> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const { x } = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  if (x === undefined) throw new Error("no x in exported JWK");
  const jwk = { kty: "OKP", crv: "Ed25519", x };
  return { privateKey: pair.privateKey, jwk, keyid: await calculateJwkThumbprint(jwk, "sha256") };
}

interface SignOptions {
  readonly nowS?: number;
  readonly lifetimeS?: number;
  readonly tag?: string;
  readonly agent?: string;
  readonly keyid?: string;
  /** The authority the signer believed it was talking to (defaults to the request's). */
  readonly signedAuthority?: string;
}

/** Signs like a Web Bot Auth client, building the RFC 9421 base by hand (independently of core's builder). */
async function signedRequest(url: string, signer: Signer, options: SignOptions = {}, extra: Record<string, string> = {}): Promise<Request> {
  const nowS = options.nowS ?? Math.floor(Date.now() / 1000);
  const agent = options.agent ?? BOT;
  const components = '("@authority" "signature-agent";key="sig1")';
  const params = `;created=${nowS - 5};expires=${nowS - 5 + (options.lifetimeS ?? 300)};keyid="${options.keyid ?? signer.keyid}";alg="ed25519";tag="${options.tag ?? "web-bot-auth"}"`;
  const base = [`"@authority": ${options.signedAuthority ?? new URL(url).host}`, `"signature-agent";key="sig1": "${agent}"`, `"@signature-params": ${components}${params}`].join("\n");
  const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", signer.privateKey, new TextEncoder().encode(base)));
  return new Request(url, {
    headers: {
      "signature-agent": `sig1="${agent}"`,
      "signature-input": `sig1=${components}${params}`,
      signature: `sig1=:${btoa(String.fromCharCode(...signature))}:`,
      ...extra,
    },
  });
}

/** A FetchDirectory serving `keys` for every origin, recording the URLs it was asked for. */
function directory(keys: readonly unknown[]): FetchDirectory & { readonly urls: string[] } {
  const urls: string[] = [];
  const fetcher = async (url: string) => {
    urls.push(url);
    return { keys };
  };
  return Object.assign(fetcher, { urls });
}

describe("verifyWebBotAuth", () => {
  it("verifies a signed request against its directory, and serves later ones from the cache", async () => {
    const signer = await newSigner();
    const fetcher = directory([signer.jwk]);
    const cache = new DirectoryCache();
    const request = await signedRequest("https://site.test/articles/1", signer);
    expect(await verifyWebBotAuth(request, Date.now(), cache, fetcher)).toEqual({ verified: true, agent: BOT, keyid: signer.keyid });
    expect(fetcher.urls).toEqual([BOT + DIRECTORY_PATH]);
    const again = await signedRequest("https://site.test/articles/2", signer);
    expect(await verifyWebBotAuth(again, Date.now(), cache, fetcher)).toMatchObject({ verified: true });
    expect(fetcher.urls).toHaveLength(1);
  });

  it("returns null for unsigned requests and for signatures without the web-bot-auth tag", async () => {
    const signer = await newSigner();
    const fetcher = directory([signer.jwk]);
    expect(await verifyWebBotAuth(new Request("https://site.test/"), Date.now(), new DirectoryCache(), fetcher)).toBeNull();
    const otherTag = await signedRequest("https://site.test/", signer, { tag: "other-purpose" });
    expect(await verifyWebBotAuth(otherTag, Date.now(), new DirectoryCache(), fetcher)).toBeNull();
    expect(fetcher.urls).toEqual([]);
  });

  it("does not verify a signature replayed against another authority", async () => {
    const signer = await newSigner();
    const request = await signedRequest("https://site.test/", signer, { signedAuthority: "other-site.test" });
    expect(await verifyWebBotAuth(request, Date.now(), new DirectoryCache(), directory([signer.jwk]))).toEqual({ verified: false, reason: "bad_signature" });
  });

  it("does not verify when the covered Signature-Agent was swapped for a directory that republishes the key", async () => {
    const signer = await newSigner();
    const request = await signedRequest("https://site.test/", signer);
    const swapped = new Request(request, { headers: { ...Object.fromEntries(request.headers), "signature-agent": 'sig1="https://impostor.example"' } });
    const fetcher = directory([signer.jwk]);
    expect(await verifyWebBotAuth(swapped, Date.now(), new DirectoryCache(), fetcher)).toEqual({ verified: false, reason: "bad_signature" });
    expect(fetcher.urls).toEqual(["https://impostor.example" + DIRECTORY_PATH]);
  });

  it("does not verify an expired signature, and does not fetch for it", async () => {
    const signer = await newSigner();
    const nowS = Math.floor(Date.now() / 1000);
    const request = await signedRequest("https://site.test/", signer, { nowS: nowS - 600, lifetimeS: 300 });
    const fetcher = directory([signer.jwk]);
    expect(await verifyWebBotAuth(request, Date.now(), new DirectoryCache(), fetcher)).toEqual({ verified: false, reason: "expired" });
    expect(fetcher.urls).toEqual([]);
  });

  it("does not verify a keyid the directory does not list", async () => {
    const [signer, other] = [await newSigner(), await newSigner()];
    const request = await signedRequest("https://site.test/", signer);
    expect(await verifyWebBotAuth(request, Date.now(), new DirectoryCache(), directory([other.jwk]))).toEqual({ verified: false, reason: "unknown_key" });
  });

  it("does not verify with a directory key outside its nbf/exp window", async () => {
    const signer = await newSigner();
    const request = await signedRequest("https://site.test/", signer);
    const retired = directory([{ ...signer.jwk, exp: Math.floor(Date.now() / 1000) - 1 }]);
    expect(await verifyWebBotAuth(request, Date.now(), new DirectoryCache(), retired)).toEqual({ verified: false, reason: "unknown_key" });
  });

  it("refuses the RFC 9421 test key even when a directory lists it", async () => {
    const rfcKey = { kty: "OKP", crv: "Ed25519", x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs" };
    expect(await calculateJwkThumbprint(rfcKey, "sha256")).toBe("poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U");
    const signer = { ...(await newSigner()), jwk: rfcKey };
    const request = await signedRequest("https://site.test/", signer, { keyid: "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U" });
    expect(await verifyWebBotAuth(request, Date.now(), new DirectoryCache(), directory([rfcKey]))).toEqual({ verified: false, reason: "unknown_key" });
  });

  it("rejects a malformed directory", async () => {
    const signer = await newSigner();
    const request = await signedRequest("https://site.test/", signer);
    const broken: FetchDirectory = async () => ({ keys: "none" });
    expect(await verifyWebBotAuth(request, Date.now(), new DirectoryCache(), broken)).toEqual({ verified: false, reason: "invalid_directory" });
  });

  it("refuses a plain-HTTP or loopback Signature-Agent without fetching it", async () => {
    const signer = await newSigner();
    const fetcher = directory([signer.jwk]);
    for (const agent of ["http://127.0.0.1:1", "https://127.0.0.1:1", "https://localhost"]) {
      const request = await signedRequest("https://site.test/", signer, { agent });
      expect(await verifyWebBotAuth(request, Date.now(), new DirectoryCache(), fetcher)).toEqual({ verified: false, reason: "unsupported_agent" });
    }
    expect(fetcher.urls).toEqual([]);
  });

  it("fails open when the real fetch cannot reach the directory", async () => {
    const signer = await newSigner();
    const request = await signedRequest("https://site.test/", signer, { agent: "https://directory.invalid:1" }); // RFC 6761: never resolves
    const started = Date.now();
    expect(await verifyWebBotAuth(request, Date.now(), new DirectoryCache())).toEqual({ verified: false, reason: "directory_unreachable" });
    expect(Date.now() - started).toBeLessThan(DIRECTORY_TIMEOUT_MS + 1_000);
  });

  it("gives up on a directory that never answers, and remembers the failure for a while", async () => {
    const signer = await newSigner();
    const cache = new DirectoryCache();
    let calls = 0;
    const hanging: FetchDirectory = () => (calls++, new Promise<never>(() => {}));
    const started = Date.now();
    expect(await verifyWebBotAuth(await signedRequest("https://site.test/", signer), Date.now(), cache, hanging)).toEqual({ verified: false, reason: "directory_unreachable" });
    expect(Date.now() - started).toBeLessThan(DIRECTORY_TIMEOUT_MS + 1_000);
    expect(await verifyWebBotAuth(await signedRequest("https://site.test/", signer), Date.now(), cache, hanging)).toMatchObject({ reason: "directory_unreachable" });
    expect(calls).toBe(1);
  });

  it("keeps verifying with cached keys when a refresh fails", async () => {
    const signer = await newSigner();
    const cache = new DirectoryCache();
    const now = Date.now();
    const request = () => signedRequest("https://site.test/", signer, { lifetimeS: 3 * 60 * 60 });
    expect(await verifyWebBotAuth(await request(), now, cache, directory([signer.jwk]))).toMatchObject({ verified: true });
    const down: FetchDirectory = async () => {
      throw new TypeError("Network connection lost.");
    };
    expect(await verifyWebBotAuth(await request(), now + DIRECTORY_TTL_MS + 1, cache, down)).toMatchObject({ verified: true });
  });
});
