import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

// Runtime-neutral (WebCrypto, btoa): the pay-per-crawl tests sign inside workerd; only startKeyDirectory needs Node.
const base64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const base64url = (bytes: Uint8Array): string => base64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/**
 * A Web Bot Auth client for tests: a real Ed25519 key (WebCrypto), its key directory on a loopback HTTP server, and
 * RFC 9421 signatures built by hand (independently of edge-guard's own code), as draft-ietf-webbotauth-httpsig-protocol
 * describes them.
 */
export interface TestSigner {
  readonly privateKey: CryptoKey;
  readonly jwk: { readonly kty: "OKP"; readonly crv: "Ed25519"; readonly x: string };
  /** JWK SHA-256 thumbprint (RFC 7638), base64url: the `keyid`. */
  readonly thumbprint: string;
}

export async function createSigner(): Promise<TestSigner> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const { x } = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  if (x === undefined) throw new Error("exported Ed25519 JWK has no x");
  // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`));
  const thumbprint = base64url(new Uint8Array(digest));
  return { privateKey: pair.privateKey, jwk: { kty: "OKP", crv: "Ed25519", x }, thumbprint };
}

/** A key directory served at `/.well-known/http-message-signatures-directory` on 127.0.0.1. */
export interface KeyDirectory {
  /** e.g. `http://127.0.0.1:41234`: the Signature-Agent value. */
  readonly origin: string;
  /** How many times the directory was fetched. */
  readonly fetches: () => number;
  close(): Promise<void>;
}

export async function startKeyDirectory(signers: readonly TestSigner[]): Promise<KeyDirectory> {
  const { createServer } = await import("node:http"); // Node only: imported here so the signing part runs in workerd too
  let fetches = 0;
  const body = JSON.stringify({ keys: signers.map((s) => s.jwk) });
  const server: Server = createServer((req, res) => {
    if (req.url !== "/.well-known/http-message-signatures-directory") {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    res.writeHead(200, { "content-type": "application/http-message-signatures-directory+json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    fetches: () => fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface SignOptions {
  /** Signature-Agent origin (the key directory). */
  readonly agent: string;
  /** Epoch seconds; default now − 5 s. */
  readonly createdS?: number;
  /** Epoch seconds; default created + 300 s. */
  readonly expiresS?: number;
  /** Send the legacy bare-String Signature-Agent (covered as the whole field) instead of a dictionary. */
  readonly legacyAgent?: boolean;
  /** More request headers to send and cover (lower-case names), e.g. `crawler-exact-price` for pay per crawl. */
  readonly covered?: Readonly<Record<string, string>>;
  /** The `nonce` parameter (default: 32 random bytes, base64). */
  readonly nonce?: string;
}

/**
 * The Signature-Agent, Signature-Input and Signature headers (plus any `covered` headers) for a GET of `url`, covering
 * @authority, the agent and the `covered` headers.
 */
export async function signatureHeaders(signer: TestSigner, url: string, options: SignOptions): Promise<Record<string, string>> {
  const createdS = options.createdS ?? Math.floor(Date.now() / 1000) - 5;
  const expiresS = options.expiresS ?? createdS + 300;
  const agentComponent = options.legacyAgent ? '"signature-agent"' : '"signature-agent";key="sig1"';
  const agentValue = options.legacyAgent ? `"${options.agent}"` : `sig1="${options.agent}"`;
  const nonce = options.nonce ?? base64(crypto.getRandomValues(new Uint8Array(32)));
  const extra = Object.entries(options.covered ?? {});
  const components = ['"@authority"', agentComponent, ...extra.map(([name]) => `"${name}"`)].join(" ");
  const params = `(${components});created=${createdS};expires=${expiresS};keyid="${signer.thumbprint}";alg="ed25519";nonce="${nonce}";tag="web-bot-auth"`;
  // RFC 9421 §2.5; the agent line carries the member value re-serialised (§2.1.2) or the whole field.
  const base = [
    `"@authority": ${new URL(url).host}`,
    `${agentComponent}: "${options.agent}"`,
    ...extra.map(([name, value]) => `"${name}": ${value.trim()}`),
    `"@signature-params": ${params}`,
  ].join("\n");
  const signature = base64(
    new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, signer.privateKey, new TextEncoder().encode(base))),
  );
  return {
    ...Object.fromEntries(extra),
    "signature-agent": agentValue,
    "signature-input": `sig1=${params}`,
    signature: `sig1=:${signature}:`,
  };
}
