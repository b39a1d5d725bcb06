import { createServer, type Server } from "node:http";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { calculateJwkThumbprint } from "jose";
import { DIRECTORY_MEDIA_TYPE, DIRECTORY_PATH } from "../../core/web-bot-auth/directory";

/** A crawler's Web Bot Auth identity: its Ed25519 key pair (JWK) and the key's thumbprint, the `keyid`. */
export interface CrawlerKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: { readonly kty: "OKP"; readonly crv: "Ed25519"; readonly x: string };
  /** JWK SHA-256 thumbprint (RFC 7638), base64url. */
  readonly thumbprint: string;
}

interface StoredJwk {
  readonly kty: "OKP";
  readonly crv: "Ed25519";
  readonly x: string;
  readonly d: string;
}

const isStoredJwk = (value: unknown): value is StoredJwk => {
  const v = value as Partial<StoredJwk> | null;
  return (
    v !== null && typeof v === "object" && v.kty === "OKP" && v.crv === "Ed25519" && typeof v.x === "string" && typeof v.d === "string"
  );
};

/**
 * Loads the Ed25519 private JWK kept in `file`, or generates one there (mode 0600) when the file does not exist. A file
 * that exists but holds no Ed25519 private JWK is an error, never silently replaced (it may be someone's real key).
 */
export async function loadOrCreateKey(file: string): Promise<{ key: CrawlerKey; created: boolean }> {
  let text: string | null = null;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (text !== null) {
    let jwk: unknown;
    try {
      jwk = JSON.parse(text);
    } catch {
      jwk = null;
    }
    if (!isStoredJwk(jwk)) throw new Error(`${file} is not an Ed25519 private JWK ({"kty":"OKP","crv":"Ed25519","x":…,"d":…})`);
    return { key: await fromJwk(jwk), created: false };
  }
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  if (jwk.x === undefined || jwk.d === undefined) throw new Error("exported Ed25519 JWK lacks x or d");
  const stored: StoredJwk = { kty: "OKP", crv: "Ed25519", x: jwk.x, d: jwk.d };
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(stored)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { key: await fromJwk(stored), created: true };
}

async function fromJwk(jwk: StoredJwk): Promise<CrawlerKey> {
  const privateKey = await crypto.subtle.importKey("jwk", { ...jwk }, { name: "Ed25519" }, false, ["sign"]);
  const publicJwk = { kty: "OKP", crv: "Ed25519", x: jwk.x } as const;
  return { privateKey, publicJwk, thumbprint: await calculateJwkThumbprint(publicJwk, "sha256") };
}

/** The crawler's key directory, served on loopback while it runs. */
export interface ServedDirectory {
  /** e.g. `http://127.0.0.1:8791`: the Signature-Agent the crawler sends. */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serves the public key as a Web Bot Auth key directory (a JWKS at DIRECTORY_PATH, with its media type) on
 * 127.0.0.1:`port`. A deployed crawler publishes this at its https origin instead.
 */
export async function serveKeyDirectory(key: CrawlerKey, port: number): Promise<ServedDirectory> {
  const body = JSON.stringify({ keys: [{ ...key.publicJwk, kid: key.thumbprint }] });
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || req.url !== DIRECTORY_PATH) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": DIRECTORY_MEDIA_TYPE, "cache-control": "max-age=3600" }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
