import { CompactSign, calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK } from "jose";
import { z } from "zod";
import { PEER_JWS_ALG, PeerPublicJwkSchema, type PeerKeyDocument, type PeerPublicJwk } from "../../../core/peers/feed";
import type { LruMap } from "../../../core/lru";
import { fail, ok, type Result } from "../../../core/result";

/** Our signing key, ready to use: the private key and the public JWK peers pin (kid = its RFC 7638 thumbprint). */
export interface SigningKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: PeerPublicJwk & { readonly kid: string; readonly alg: "EdDSA"; readonly use: "sig" };
  readonly kid: string;
}

const PrivateJwkSchema = z.object({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519"),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  d: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

/** The RFC 7638 thumbprint (SHA-256, base64url) of an Ed25519 public key: its `kid` everywhere. */
export function thumbprintOf(jwk: PeerPublicJwk): Promise<string> {
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, "sha256");
}

/** Parses PEER_SIGNING_JWK once per state (`signingKeys`). Throws on a bad secret: a deploy defect, answered 500 and logged. */
export function loadSigningKey(signingKeys: LruMap<string, Promise<SigningKey>>, jwkText: string): Promise<SigningKey> {
  let key = signingKeys.get(jwkText);
  if (key === undefined) {
    key = (async () => {
      const parsed = PrivateJwkSchema.safeParse(JSON.parse(jwkText));
      if (!parsed.success) throw new Error(`PEER_SIGNING_JWK is not an Ed25519 private JWK: ${z.prettifyError(parsed.error)}`);
      const { kty, crv, x } = parsed.data;
      const privateKey = (await importJWK({ ...parsed.data, alg: PEER_JWS_ALG }, PEER_JWS_ALG)) as CryptoKey;
      const kid = await thumbprintOf({ kty, crv, x });
      return { privateKey, kid, publicJwk: { kty, crv, x, kid, alg: PEER_JWS_ALG, use: "sig" } } as const;
    })();
    key.catch(() => signingKeys.delete(jwkText));
    signingKeys.set(jwkText, key);
  }
  return key;
}

/** Signs a JSON payload as a compact JWS (alg EdDSA, our kid, the given `typ`). */
export async function signJws(key: SigningKey, typ: string, payload: unknown): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: PEER_JWS_ALG, kid: key.kid, typ })
    .sign(key.privateKey);
}

/** Why a JWS was refused. Public codes: a peer may see them. Only `wrong_type` and `malformed_payload` come after a good signature. */
export type JwsError = {
  readonly code: "malformed_jws" | "unsupported_alg" | "wrong_type" | "unknown_key" | "invalid_signature" | "malformed_payload";
  readonly message: string;
};

/** The protected header's `kid`, or null when the JWS is malformed or has none (push looks the peer up by it). */
export function jwsKeyId(jws: string): string | null {
  try {
    const kid = decodeProtectedHeader(jws).kid;
    return typeof kid === "string" ? kid : null;
  } catch {
    return null;
  }
}

/**
 * Verifies a compact JWS against a peer's pinned key and returns its JSON payload. Only EdDSA is accepted (never
 * `none`, never an HMAC with the public key as secret); the `typ` must match and a `kid`, if present, must be the pin's.
 */
export async function verifyPeerJws(
  jws: string,
  pinned: PeerPublicJwk,
  pinnedKid: string,
  typ: string,
): Promise<Result<unknown, JwsError>> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    return fail({ code: "malformed_jws", message: "not a compact JWS" });
  }
  if (header.alg !== PEER_JWS_ALG)
    return fail({ code: "unsupported_alg", message: `alg ${String(header.alg)} is not accepted; peers sign with ${PEER_JWS_ALG}` });
  if (header.kid !== undefined && header.kid !== pinnedKid)
    return fail({ code: "unknown_key", message: `signed with key ${header.kid}, not the pinned ${pinnedKid}` });
  let payload: Uint8Array;
  try {
    const key = await importJWK({ kty: pinned.kty, crv: pinned.crv, x: pinned.x }, PEER_JWS_ALG);
    ({ payload } = await compactVerify(jws, key, { algorithms: [PEER_JWS_ALG] }));
  } catch (error) {
    return fail({
      code: "invalid_signature",
      message: `signature check failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200),
    });
  }
  // After the signature: from here on the peer itself said it, so its status may record the refusal.
  if (header.typ !== typ) return fail({ code: "wrong_type", message: `typ ${String(header.typ)} is not ${typ}` });
  try {
    return ok(JSON.parse(new TextDecoder().decode(payload)) as unknown);
  } catch {
    return fail({ code: "malformed_payload", message: "the payload is not JSON" });
  }
}

/** The key to pin from a peer's key document: the only Ed25519 key, or the one whose thumbprint the operator gave. */
export async function pickPeerKey(
  doc: PeerKeyDocument,
  expectedThumbprint: string | null,
): Promise<Result<{ jwk: PeerPublicJwk; kid: string }, string>> {
  const candidates: { jwk: PeerPublicJwk; kid: string }[] = [];
  for (const raw of doc.keys) {
    const parsed = PeerPublicJwkSchema.safeParse(raw);
    if (!parsed.success) continue;
    const jwk: PeerPublicJwk = { kty: parsed.data.kty, crv: parsed.data.crv, x: parsed.data.x };
    candidates.push({ jwk, kid: await thumbprintOf(jwk) });
  }
  if (expectedThumbprint !== null) {
    const match = candidates.find((c) => c.kid === expectedThumbprint);
    return match === undefined ? fail(`no key in the document has the thumbprint ${expectedThumbprint}`) : ok(match);
  }
  const [only, ...others] = candidates;
  if (only === undefined) return fail("the key document holds no Ed25519 key");
  if (others.length > 0) return fail("the key document holds several keys; give the peer's key thumbprint to choose one");
  return ok(only);
}
