import { fail, ok, type Result } from "../result";

/**
 * TOTP (RFC 6238) over HOTP (RFC 4226): HMAC-SHA-1, 30 s steps, 6 digits, ±1 step of clock drift.
 * The HMAC is passed in (WebCrypto in Workers, node:crypto in tests), so this file stays pure.
 */
export type HmacSha1 = (key: Uint8Array, message: Uint8Array) => Promise<Uint8Array>;

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of now: ±30 s of clock drift between the phone and the Worker. */
export const TOTP_DRIFT_STEPS = 1;

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 without padding: the secret format authenticator apps take. */
export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** Decodes base32 (case-insensitive; spaces and `=` padding ignored); null when a character is not base32. */
export function base32Decode(text: string): Uint8Array | null {
  const clean = text.replace(/[\s=]/g, "").toUpperCase();
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of clean) {
    const value = BASE32.indexOf(ch);
    if (value < 0) return null;
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/** The 8-byte big-endian counter HOTP signs. */
function counterBytes(counter: number): Uint8Array {
  const bytes = new Uint8Array(8);
  let rest = counter;
  for (let i = 7; i >= 0; i--) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return bytes;
}

/** HOTP (RFC 4226 §5.3): the `digits`-digit code for `counter`, zero-padded. */
export async function hotp(hmac: HmacSha1, key: Uint8Array, counter: number, digits: number = TOTP_DIGITS): Promise<string> {
  const mac = await hmac(key, counterBytes(counter));
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary =
    (((mac[offset] ?? 0) & 0x7f) << 24) | ((mac[offset + 1] ?? 0) << 16) | ((mac[offset + 2] ?? 0) << 8) | (mac[offset + 3] ?? 0);
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** The TOTP time step holding `nowMs`. */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_STEP_SECONDS);
}

/** The TOTP code for `nowMs` (RFC 6238 §4). */
export async function totpCode(hmac: HmacSha1, key: Uint8Array, nowMs: number, digits: number = TOTP_DIGITS): Promise<string> {
  return hotp(hmac, key, totpStep(nowMs), digits);
}

/**
 * Checks a code against the steps around `nowMs` and returns the step it matched. A step at or before
 * `lastUsedStep` is refused, so a code seen over a shoulder cannot be replayed inside its window.
 */
export async function verifyTotp(
  hmac: HmacSha1,
  key: Uint8Array,
  code: string,
  nowMs: number,
  lastUsedStep: number | null,
): Promise<Result<number, "malformed" | "mismatch" | "replayed">> {
  if (!/^\d{6}$/.test(code)) return fail("malformed");
  const now = totpStep(nowMs);
  let matched: number | null = null;
  // Every candidate is computed (no early exit), so timing does not say which step matched.
  for (let step = now - TOTP_DRIFT_STEPS; step <= now + TOTP_DRIFT_STEPS; step++) {
    if (constantTimeEqual(await hotp(hmac, key, step), code) && matched === null) matched = step;
  }
  if (matched === null) return fail("mismatch");
  if (lastUsedStep !== null && matched <= lastUsedStep) return fail("replayed");
  return ok(matched);
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/** The `otpauth://` URI an authenticator app scans (https://github.com/google/google-authenticator/wiki/Key-Uri-Format). */
export function otpauthUri(issuer: string, account: string, secretBase32: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  return `otpauth://totp/${label}?secret=${secretBase32}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=${TOTP_DIGITS}&period=${TOTP_STEP_SECONDS}`;
}
