import { fail, ok, type Result } from "../result";

/** PBKDF2-HMAC-SHA-256 iterations. workerd refuses more than 100 000, and OWASP's floor for SHA-256 is far above it, so this is the cap. */
export const PBKDF2_ITERATIONS = 100_000;
export const PBKDF2_SALT_BYTES = 16;
export const PBKDF2_HASH_BYTES = 32;

/** A stored password hash, parsed: `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`. */
export interface PasswordHash {
  readonly iterations: number;
  readonly salt: Uint8Array;
  readonly hash: Uint8Array;
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes of an even-length hex string; null when it is not hex. */
export function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(text)) return null;
  return Uint8Array.from({ length: text.length / 2 }, (_, i) => parseInt(text.slice(i * 2, i * 2 + 2), 16));
}

/** The text stored in `admin_users.password_hash`. */
export function formatPasswordHash(h: PasswordHash): string {
  return `pbkdf2-sha256$${h.iterations}$${toHex(h.salt)}$${toHex(h.hash)}`;
}

/** Parses a stored hash; the error says what is wrong (for logs, never for the client). */
export function parsePasswordHash(text: string): Result<PasswordHash, string> {
  const [scheme, iterations, salt, hash, ...rest] = text.split("$");
  if (scheme !== "pbkdf2-sha256" || rest.length > 0) return fail("unknown password hash scheme");
  const n = Number(iterations);
  const saltBytes = fromHex(salt ?? "");
  const hashBytes = fromHex(hash ?? "");
  if (!Number.isInteger(n) || n < 1 || n > PBKDF2_ITERATIONS) return fail("bad iteration count");
  if (saltBytes === null || saltBytes.length < 8 || hashBytes === null || hashBytes.length !== PBKDF2_HASH_BYTES)
    return fail("bad salt or hash");
  return ok({ iterations: n, salt: saltBytes, hash: hashBytes });
}

/** Compares two byte strings in time that depends only on their lengths. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
