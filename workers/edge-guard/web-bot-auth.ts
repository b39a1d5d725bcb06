import { calculateJwkThumbprint } from "jose";
import { z } from "zod";
import { DIRECTORY_MEDIA_TYPE, DIRECTORY_PATH } from "../../core/web-bot-auth/directory";
import { readWebBotAuthSignature, type SignatureFailure } from "../../core/web-bot-auth/signature-input";

// Web Bot Auth verification: RFC 9421 signatures (Ed25519) checked against the signer's key directory.
// https://datatracker.ietf.org/doc/draft-meunier-webbotauth-httpsig-protocol/ (§"Key Distribution and Discovery")

/** Why a Web Bot Auth signature did not verify. Stable codes, logged, never sent to the client. */
export type WebBotAuthFailure = SignatureFailure | "directory_unreachable" | "invalid_directory" | "unknown_key" | "bad_signature";

/** A verified signature names its directory origin (the bot's identity); null from the verifier means unsigned. */
export type WebBotAuthOutcome =
  | {
      readonly verified: true;
      readonly agent: string;
      readonly keyid: string;
      /** The covered components' names (pay per crawl checks its price header is one). */
      readonly covered: readonly string[];
      /** The signature's `nonce`, or its bytes (base64) when it has none: what identifies this signed request. */
      readonly nonce: string;
    }
  | { readonly verified: false; readonly reason: WebBotAuthFailure };

/** Loads a key directory: resolves to its parsed JSON, throws on any failure. Injectable for tests. */
export type FetchDirectory = (url: string, signal: AbortSignal) => Promise<unknown>;

export { DIRECTORY_MEDIA_TYPE, DIRECTORY_PATH } from "../../core/web-bot-auth/directory";
/** How long fetched keys are trusted before a refetch, in ms. */
export const DIRECTORY_TTL_MS = 60 * 60_000;
/** How long a failed fetch is remembered (draft: negative entries at most 5 min), in ms. */
export const DIRECTORY_RETRY_MS = 60_000;
/** Wall-clock limit on one directory fetch, in ms: verification sits on the request path. */
export const DIRECTORY_TIMEOUT_MS = 1_500;
const DIRECTORY_MAX_BYTES = 64 * 1024;
const DIRECTORY_MAX_KEYS = 32;
export const CACHE_MAX_ORIGINS = 512;
/** Public test keys (RFC 9421 B.1.4 "test-key-ed25519"): the draft says verifiers should refuse them. */
const TEST_KEYS: ReadonlySet<string> = new Set(["JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"]);

interface DirectoryKey {
  /** Raw Ed25519 public key, base64url (JWK `x`). */
  readonly x: string;
  /** Optional validity window of the key, epoch seconds (JWK `nbf` / `exp`, as in the draft's example). */
  readonly nbf?: number | undefined;
  readonly exp?: number | undefined;
}
type DirectoryKeys = ReadonlyMap<string, DirectoryKey>;
/** What the cache holds for one directory origin: its keys, or why the last fetch failed. Epoch ms. */
export interface DirectoryCacheEntry {
  readonly keys: DirectoryKeys | null;
  readonly failure: "directory_unreachable" | "invalid_directory" | null;
  /** When a fetch was last attempted, successful or not. */
  readonly checkedAt: number;
  readonly retryAt: number;
}

/**
 * Keys of recently seen directories, per isolate, by origin. Holds plain data only (no promises or I/O objects,
 * which a Worker must not share across requests), so a KV-backed tier can sit behind it later.
 */
export class DirectoryCache {
  readonly #entries = new Map<string, DirectoryCacheEntry>();

  /** Origins cached now (at most CACHE_MAX_ORIGINS). */
  get size(): number {
    return this.#entries.size;
  }

  /** The cached entry for an origin, fresh or stale. */
  get(origin: string): DirectoryCacheEntry | undefined {
    return this.#entries.get(origin);
  }

  /** Stores an entry, evicting the oldest origin past the bound (clients choose the origins). */
  set(origin: string, entry: DirectoryCacheEntry): void {
    this.#entries.delete(origin);
    this.#entries.set(origin, entry);
    const oldest = this.#entries.keys().next();
    if (this.#entries.size > CACHE_MAX_ORIGINS && oldest.done !== true) this.#entries.delete(oldest.value);
  }
}

/**
 * Verifies the Web Bot Auth signature of a request. Null when it carries none. Never throws: a directory that
 * cannot be fetched in time gives `directory_unreachable` (fail open: the request is simply not identified).
 */
export async function verifyWebBotAuth(
  request: Request,
  nowMs: number,
  cache: DirectoryCache,
  fetchDirectory: FetchDirectory = fetchDirectoryOverHttps,
  devDirectoryOrigins: ReadonlySet<string> = new Set(),
): Promise<WebBotAuthOutcome | null> {
  const headers = Object.fromEntries(request.headers); // lower-case names, repeated fields joined with ", "
  const read = readWebBotAuthSignature({ method: request.method, url: request.url, headers }, nowMs, { devDirectoryOrigins });
  if (read === null) return null;
  if (!read.ok) return { verified: false, reason: read.error };
  const signature = read.value;
  const key = await directoryKey(signature.agentOrigin, signature.keyid, nowMs, cache, fetchDirectory);
  if (typeof key === "string") return { verified: false, reason: key };
  const nowS = Math.floor(nowMs / 1000);
  if ((key.nbf !== undefined && key.nbf > nowS) || (key.exp !== undefined && key.exp <= nowS))
    return { verified: false, reason: "unknown_key" };
  const valid = await ed25519Verify(key.x, signature.signature, signature.base);
  return valid
    ? {
        verified: true,
        agent: signature.agentOrigin,
        keyid: signature.keyid,
        covered: signature.covered,
        nonce: signature.nonce ?? signature.signature,
      }
    : { verified: false, reason: "bad_signature" };
}

/**
 * The default FetchDirectory: GET, no redirects, 200 only, served as DIRECTORY_MEDIA_TYPE, at most 64 KiB. The URL
 * is https unless it is a dev-only loopback directory (see core/web-bot-auth/dev-directories.ts).
 */
export async function fetchDirectoryOverHttps(url: string, signal: AbortSignal): Promise<unknown> {
  const response = await fetch(url, { headers: { accept: DIRECTORY_MEDIA_TYPE }, redirect: "manual", signal });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`directory answered ${response.status}`);
  }
  // The directory draft registers this media type for the well-known response; anything else is not a directory.
  const type = response.headers.get("content-type") ?? "";
  if (!/^application\/http-message-signatures-directory\+json\s*(?:;|$)/i.test(type)) {
    await response.body?.cancel();
    throw new Error(`directory has content-type ${type}`);
  }
  return JSON.parse(await readCapped(response, DIRECTORY_MAX_BYTES));
}

/** The key a directory lists under `keyid`, from cache or a fresh fetch; a failure code otherwise. */
async function directoryKey(
  origin: string,
  keyid: string,
  nowMs: number,
  cache: DirectoryCache,
  fetchDirectory: FetchDirectory,
): Promise<DirectoryKey | WebBotAuthFailure> {
  let entry = cache.get(origin);
  // Refetch when stale, or once per retry period when the key is unknown (it may have just been rotated in).
  const unknown = entry?.keys?.has(keyid) === false;
  if (entry === undefined || nowMs >= entry.retryAt || (unknown && nowMs - entry.checkedAt >= DIRECTORY_RETRY_MS)) {
    entry = await refresh(origin, entry, nowMs, fetchDirectory);
    cache.set(origin, entry);
  }
  if (entry.keys === null) return entry.failure ?? "directory_unreachable";
  return entry.keys.get(keyid) ?? "unknown_key";
}

async function refresh(
  origin: string,
  previous: DirectoryCacheEntry | undefined,
  nowMs: number,
  fetchDirectory: FetchDirectory,
): Promise<DirectoryCacheEntry> {
  let document: unknown;
  try {
    document = await withTimeout(fetchDirectory(origin + DIRECTORY_PATH, AbortSignal.timeout(DIRECTORY_TIMEOUT_MS)), DIRECTORY_TIMEOUT_MS);
  } catch {
    return failed(previous, "directory_unreachable", nowMs);
  }
  const keys = await parseDirectory(document);
  if (keys === null) return failed(previous, "invalid_directory", nowMs);
  // A valid directory is newer evidence than what we held, even if it dropped our key (rotation, revocation).
  return { keys, failure: null, checkedAt: nowMs, retryAt: nowMs + DIRECTORY_TTL_MS };
}

/**
 * The cache entry after a failed refresh. A failure never evicts keys we hold (an outage is not a revocation); only
 * a valid directory replaces them. Without keys, the failure is remembered for DIRECTORY_RETRY_MS (≤ 5 min).
 */
function failed(
  previous: DirectoryCacheEntry | undefined,
  failure: "directory_unreachable" | "invalid_directory",
  nowMs: number,
): DirectoryCacheEntry {
  if (previous !== undefined && previous.keys !== null) return { ...previous, checkedAt: nowMs, retryAt: nowMs + DIRECTORY_RETRY_MS };
  return { keys: null, failure, checkedAt: nowMs, retryAt: nowMs + DIRECTORY_RETRY_MS };
}

const JwkSchema = z.looseObject({
  kty: z.string(),
  crv: z.string().optional(),
  x: z.string().optional(),
  nbf: z.number().optional(),
  exp: z.number().optional(),
});
// A JWKS (RFC 7517 §5); entries that are not Ed25519 keys are skipped, not fatal.
const DirectorySchema = z.looseObject({ keys: z.array(z.unknown()).max(DIRECTORY_MAX_KEYS) });

/** The directory's Ed25519 keys by JWK thumbprint (RFC 7638; RFC 8037 §2 for OKP members), or null if malformed. */
async function parseDirectory(document: unknown): Promise<DirectoryKeys | null> {
  const parsed = DirectorySchema.safeParse(document);
  if (!parsed.success) return null;
  const keys = new Map<string, DirectoryKey>();
  for (const entry of parsed.data.keys) {
    const jwk = JwkSchema.safeParse(entry);
    if (!jwk.success) continue;
    const { kty, crv, x, nbf, exp } = jwk.data;
    if (kty !== "OKP" || crv !== "Ed25519" || x === undefined || !/^[A-Za-z0-9_-]{43}$/.test(x) || TEST_KEYS.has(x)) continue;
    // The verifier computes the thumbprint itself rather than trusting the directory's `kid`.
    keys.set(await calculateJwkThumbprint({ kty, crv, x }, "sha256"), { x, nbf, exp });
  }
  return keys;
}

async function ed25519Verify(x: string, signatureB64: string, base: string): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x }, { name: "Ed25519" }, false, ["verify"]);
    const signature = Uint8Array.from(atob(signatureB64), (c) => c.charCodeAt(0));
    return await crypto.subtle.verify({ name: "Ed25519" }, key, signature, new TextEncoder().encode(base));
  } catch {
    return false; // malformed key or signature bytes: not a valid signature
  }
}

/** Races a promise against a timer, so an injected fetcher that ignores its AbortSignal still cannot stall us. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`directory larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk.value);
  }
  const decoder = new TextDecoder();
  return chunks.map((c) => decoder.decode(c, { stream: true })).join("") + decoder.decode();
}
