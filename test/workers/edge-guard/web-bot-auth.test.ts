import { exports } from "cloudflare:workers";
import { calculateJwkThumbprint } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  DIRECTORY_MEDIA_TYPE,
  DIRECTORY_PATH,
  DIRECTORY_RETRY_MS,
  DIRECTORY_TTL_MS,
  DirectoryCache,
  fetchDirectoryOverHttps,
  verifyWebBotAuth,
  type FetchDirectory,
} from "../../../workers/edge-guard/web-bot-auth";
import { isolateState } from "../../../workers/edge-guard/app";

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
  /** Seconds between `created` and the signer's clock (default 5 s in the past). */
  readonly createdOffsetS?: number;
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
  const created = nowS + (options.createdOffsetS ?? -5);
  const params = `;created=${created};expires=${created + (options.lifetimeS ?? 300)};keyid="${options.keyid ?? signer.keyid}";alg="ed25519";tag="${options.tag ?? "web-bot-auth"}"`;
  const base = [
    `"@authority": ${options.signedAuthority ?? new URL(url).host}`,
    `"signature-agent";key="sig1": "${agent}"`,
    `"@signature-params": ${components}${params}`,
  ].join("\n");
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
    expect(await verifyWebBotAuth(request, Date.now(), cache, fetcher)).toMatchObject({
      verified: true,
      agent: BOT,
      keyid: signer.keyid,
      covered: ["@authority", "signature-agent"],
    });
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
    expect(await verifyWebBotAuth(request, Date.now(), new DirectoryCache(), directory([signer.jwk]))).toEqual({
      verified: false,
      reason: "bad_signature",
    });
  });

  it("does not verify when the covered Signature-Agent was swapped for a directory that republishes the key", async () => {
    const signer = await newSigner();
    const request = await signedRequest("https://site.test/", signer);
    const swapped = new Request(request, {
      headers: { ...Object.fromEntries(request.headers), "signature-agent": 'sig1="https://impostor.example"' },
    });
    const fetcher = directory([signer.jwk]);
    expect(await verifyWebBotAuth(swapped, Date.now(), new DirectoryCache(), fetcher)).toEqual({
      verified: false,
      reason: "bad_signature",
    });
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
    expect(await verifyWebBotAuth(request, Date.now(), new DirectoryCache(), directory([other.jwk]))).toEqual({
      verified: false,
      reason: "unknown_key",
    });
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
    expect(await verifyWebBotAuth(request, Date.now(), new DirectoryCache(), directory([rfcKey]))).toEqual({
      verified: false,
      reason: "unknown_key",
    });
  });

  it("rejects a malformed directory", async () => {
    const signer = await newSigner();
    const request = await signedRequest("https://site.test/", signer);
    const broken: FetchDirectory = async () => ({ keys: "none" });
    expect(await verifyWebBotAuth(request, Date.now(), new DirectoryCache(), broken)).toEqual({
      verified: false,
      reason: "invalid_directory",
    });
  });

  it("refuses a plain-HTTP or loopback Signature-Agent without fetching it", async () => {
    const signer = await newSigner();
    const fetcher = directory([signer.jwk]);
    for (const agent of ["http://127.0.0.1:1", "https://127.0.0.1:1", "https://localhost"]) {
      const request = await signedRequest("https://site.test/", signer, { agent });
      expect(await verifyWebBotAuth(request, Date.now(), new DirectoryCache(), fetcher)).toEqual({
        verified: false,
        reason: "unsupported_agent",
      });
    }
    expect(fetcher.urls).toEqual([]);
  });

  it("fails open when the real fetch cannot reach the directory", async () => {
    const signer = await newSigner();
    const request = await signedRequest("https://site.test/", signer, { agent: "https://directory.invalid:1" }); // RFC 6761: never resolves
    expect(await verifyWebBotAuth(request, Date.now(), new DirectoryCache())).toEqual({ verified: false, reason: "directory_unreachable" });
  });

  it("gives up on a directory that never answers, and remembers the failure for a while", async () => {
    const signer = await newSigner();
    const cache = new DirectoryCache();
    let calls = 0;
    const hanging: FetchDirectory = () => (calls++, new Promise<never>(() => {}));
    // No clock assertion: without DIRECTORY_TIMEOUT_MS this call never returns, and the test times out.
    expect(await verifyWebBotAuth(await signedRequest("https://site.test/", signer), Date.now(), cache, hanging)).toEqual({
      verified: false,
      reason: "directory_unreachable",
    });
    expect(await verifyWebBotAuth(await signedRequest("https://site.test/", signer), Date.now(), cache, hanging)).toMatchObject({
      reason: "directory_unreachable",
    });
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

describe("verifyWebBotAuth: validity window and directory rules", () => {
  it("refuses a signature valid for more than 24 hours, or created in the future, without fetching", async () => {
    const signer = await newSigner();
    const fetcher = directory([signer.jwk]);
    const week = await signedRequest("https://site.test/", signer, { lifetimeS: 7 * 86_400 });
    expect(await verifyWebBotAuth(week, Date.now(), new DirectoryCache(), fetcher)).toEqual({
      verified: false,
      reason: "lifetime_too_long",
    });
    const future = await signedRequest("https://site.test/", signer, { createdOffsetS: 600 });
    expect(await verifyWebBotAuth(future, Date.now(), new DirectoryCache(), fetcher)).toEqual({ verified: false, reason: "not_yet_valid" });
    expect(fetcher.urls).toEqual([]);
    const day = await signedRequest("https://site.test/", signer, { lifetimeS: 86_400 });
    expect(await verifyWebBotAuth(day, Date.now(), new DirectoryCache(), fetcher)).toMatchObject({ verified: true });
  });

  it("remembers a failed fetch for at most 5 minutes, then asks again", async () => {
    expect(DIRECTORY_RETRY_MS).toBeLessThanOrEqual(5 * 60_000);
    const signer = await newSigner();
    const cache = new DirectoryCache();
    let calls = 0;
    const flaky: FetchDirectory = async () => {
      calls++;
      if (calls === 1) throw new TypeError("Network connection lost.");
      return { keys: [signer.jwk] };
    };
    const now = Date.now();
    const request = () => signedRequest("https://site.test/", signer);
    expect(await verifyWebBotAuth(await request(), now, cache, flaky)).toMatchObject({ reason: "directory_unreachable" });
    expect(await verifyWebBotAuth(await request(), now + 1_000, cache, flaky)).toMatchObject({ reason: "directory_unreachable" });
    expect(calls).toBe(1);
    expect(await verifyWebBotAuth(await request(), now + DIRECTORY_RETRY_MS, cache, flaky)).toMatchObject({ verified: true });
    expect(calls).toBe(2);
  });

  it("keeps cached keys when a refresh returns a malformed directory", async () => {
    const signer = await newSigner();
    const cache = new DirectoryCache();
    const now = Date.now();
    const request = () => signedRequest("https://site.test/", signer, { lifetimeS: 3 * 60 * 60 });
    expect(await verifyWebBotAuth(await request(), now, cache, directory([signer.jwk]))).toMatchObject({ verified: true });
    const broken: FetchDirectory = async () => ({ keys: "none" });
    expect(await verifyWebBotAuth(await request(), now + DIRECTORY_TTL_MS + 1, cache, broken)).toMatchObject({ verified: true });
    // A valid directory that no longer lists the key does replace it (rotation, revocation).
    const rotated = directory([(await newSigner()).jwk]);
    expect(await verifyWebBotAuth(await request(), now + 2 * DIRECTORY_TTL_MS + 2, cache, rotated)).toEqual({
      verified: false,
      reason: "unknown_key",
    });
  });

  it("fetches a loopback http directory only when the dev allow-list names it", async () => {
    const signer = await newSigner();
    const fetcher = directory([signer.jwk]);
    const agent = "http://127.0.0.1:8788";
    const request = () => signedRequest("https://site.test/", signer, { agent });
    expect(await verifyWebBotAuth(await request(), Date.now(), new DirectoryCache(), fetcher)).toEqual({
      verified: false,
      reason: "unsupported_agent",
    });
    expect(fetcher.urls).toEqual([]);
    const outcome = await verifyWebBotAuth(await request(), Date.now(), new DirectoryCache(), fetcher, new Set([agent]));
    expect(outcome).toMatchObject({ verified: true, agent, keyid: signer.keyid });
    expect(fetcher.urls).toEqual([agent + DIRECTORY_PATH]);
  });
});

describe("fetchDirectoryOverHttps", () => {
  afterEach(() => vi.restoreAllMocks());
  const serve = (response: Response) => vi.spyOn(globalThis, "fetch").mockResolvedValue(response);
  const load = () => fetchDirectoryOverHttps("https://bot.example" + DIRECTORY_PATH, AbortSignal.timeout(1_000));

  it("takes a directory served with the directory media type, without following redirects", async () => {
    const fetchSpy = serve(new Response('{"keys":[]}', { headers: { "content-type": DIRECTORY_MEDIA_TYPE } }));
    expect(await load()).toEqual({ keys: [] });
    expect(fetchSpy.mock.calls[0]?.[1]).toMatchObject({ redirect: "manual" });
  });

  it.each([
    ["plain JSON", new Response('{"keys":[]}', { headers: { "content-type": "application/json" } })],
    ["a redirect", new Response(null, { status: 302, headers: { location: "https://elsewhere.example/keys" } })],
    ["a 404", new Response('{"keys":[]}', { status: 404, headers: { "content-type": DIRECTORY_MEDIA_TYPE } })],
    [
      "more than 64 KiB",
      new Response(JSON.stringify({ keys: [], pad: "x".repeat(70_000) }), { headers: { "content-type": DIRECTORY_MEDIA_TYPE } }),
    ],
  ])("refuses %s", async (_what, response) => {
    serve(response);
    await expect(load()).rejects.toThrow();
  });

  it("refuses a directory listing more than 32 keys", async () => {
    const signer = await newSigner();
    const many = Array.from({ length: 33 }, () => signer.jwk);
    const request = await signedRequest("https://site.test/", signer);
    expect(await verifyWebBotAuth(request, Date.now(), new DirectoryCache(), directory(many))).toEqual({
      verified: false,
      reason: "invalid_directory",
    });
  });
});

describe("edge-guard with malformed signature headers", () => {
  it.each([
    [{ "signature-input": "sig1=(", signature: "sig1=:AAAA:" }],
    [{ "signature-input": 'sig1=("@authority");tag="web-bot-auth"', signature: "garbage" }],
    [
      {
        "signature-input": 'sig1=("@authority" "signature-agent");created=1;expires=2;keyid="k";tag="web-bot-auth"',
        signature: "sig1=:AAAA:",
        "signature-agent": "\u0001",
      },
    ],
    [
      {
        "signature-input": `sig1=("@authority" "signature-agent");created=${"9".repeat(15)};expires=1;keyid="k";tag="web-bot-auth"`,
        signature: "sig1=:AAAA:",
      },
    ],
    [{ signature: "sig1=:AAAA:" }],
  ])("answers %o without a 5xx, a fault or a reason", async (headers) => {
    const before = isolateState().faults.counts()["web-bot-auth"];
    const response = await exports.default.fetch(
      new Request("http://site.test/", {
        headers: {
          "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36",
          "cf-connecting-ip": "203.0.113.250",
          ...headers,
        },
      }),
    );
    expect(response.status).toBeLessThan(500);
    expect(await response.text()).not.toMatch(/web-bot-auth|malformed|signature/i);
    expect(isolateState().faults.counts()["web-bot-auth"]).toBe(before);
  });
});
