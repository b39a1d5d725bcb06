import {
  PBKDF2_HASH_BYTES,
  PBKDF2_ITERATIONS,
  PBKDF2_SALT_BYTES,
  bytesEqual,
  formatPasswordHash,
  parsePasswordHash,
  toHex,
} from "../../../core/admin/password-hash";
import { base32Encode, type HmacSha1 } from "../../../core/admin/totp";
import { base64url } from "../../../core/text";

const encoder = new TextEncoder();

/** PBKDF2-HMAC-SHA-256 (WebCrypto) of a password; `iterations` comes from the stored hash when verifying. */
async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password.normalize("NFKC")), "PBKDF2", false, ["deriveBits"]);
  // Copies give WebCrypto ArrayBuffer-backed views, as the DOM typings (used by scripts/) insist.
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: new Uint8Array(salt), iterations },
    key,
    PBKDF2_HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

/** Hashes a new password with a fresh salt, in the stored text format. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(PBKDF2_SALT_BYTES));
  return formatPasswordHash({ iterations: PBKDF2_ITERATIONS, salt, hash: await pbkdf2(password, salt, PBKDF2_ITERATIONS) });
}

// A well-formed hash of a password nobody knows: an unknown user costs the same time as a known one.
const DUMMY_HASH = `pbkdf2-sha256$${PBKDF2_ITERATIONS}$${"00".repeat(PBKDF2_SALT_BYTES)}$${"00".repeat(PBKDF2_HASH_BYTES)}`;

/** Checks a password against a stored hash; a missing or unreadable hash is checked against a dummy (same cost) and fails. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = parsePasswordHash(stored ?? DUMMY_HASH);
  const fallback = parsePasswordHash(DUMMY_HASH);
  const usable = parsed.ok ? parsed.value : fallback.ok ? fallback.value : null;
  if (usable === null) return false; // unreachable: DUMMY_HASH parses
  const derived = await pbkdf2(password, usable.salt, usable.iterations);
  return bytesEqual(derived, usable.hash) && parsed.ok && stored !== null;
}

/** HMAC-SHA-1 through WebCrypto, for TOTP. */
export const hmacSha1: HmacSha1 = async (key, message) => {
  const cryptoKey = await crypto.subtle.importKey("raw", new Uint8Array(key), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, new Uint8Array(message)));
};

/** Lower-case hex SHA-256 of a string (API tokens are stored this way). */
export async function sha256Hex(text: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text))));
}

/** HMAC-SHA-256 of `message` under `secret`, base64url: derived tokens (CSRF for Access sessions). */
export async function hmacSha256B64(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return base64url(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message))));
}

/** `bytes` random bytes as base64url. */
export function randomToken(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** A new TOTP secret: 20 random bytes (RFC 4226 §4 recommends 160 bits), base32. */
export function newTotpSecret(): string {
  return base32Encode(crypto.getRandomValues(new Uint8Array(20)));
}
