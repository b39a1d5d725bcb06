import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode, hotp, otpauthUri, totpCode, verifyTotp, type HmacSha1 } from "../../../core/admin/totp";

const hmac: HmacSha1 = async (key, message) => new Uint8Array(createHmac("sha1", key).update(message).digest());
// RFC 6238 Appendix B: the SHA-1 seed is the ASCII "12345678901234567890".
const SEED = new TextEncoder().encode("12345678901234567890");

describe("TOTP (RFC 6238, SHA-1)", () => {
  it.each([
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ])("matches the RFC's 8-digit vector at T=%i", async (seconds, code) => {
    expect(await totpCode(hmac, SEED, seconds * 1000, 8)).toBe(code);
    // The 6-digit code the app uses is the same number mod 10^6.
    expect(await totpCode(hmac, SEED, seconds * 1000)).toBe(code.slice(2));
  });

  it("matches RFC 4226's HOTP vectors", async () => {
    const expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
    for (const [counter, code] of expected.entries()) expect(await hotp(hmac, SEED, counter)).toBe(code);
  });

  it("accepts ±1 step of drift, refuses two, and never the same step twice", async () => {
    const now = 1_700_000_000_000;
    const code = await totpCode(hmac, SEED, now);
    const step = Math.floor(now / 30_000);
    expect(await verifyTotp(hmac, SEED, code, now + 30_000, null)).toEqual({ ok: true, value: step });
    expect(await verifyTotp(hmac, SEED, code, now - 30_000, null)).toEqual({ ok: true, value: step });
    expect(await verifyTotp(hmac, SEED, code, now + 60_000, null)).toEqual({ ok: false, error: "mismatch" });
    expect(await verifyTotp(hmac, SEED, code, now, step)).toEqual({ ok: false, error: "replayed" });
    expect(await verifyTotp(hmac, SEED, "12345", now, null)).toEqual({ ok: false, error: "malformed" });
  });

  it("round-trips base32 (RFC 4648 vectors) and builds an otpauth URI", () => {
    const text = new TextEncoder().encode("foobar");
    expect(base32Encode(text)).toBe("MZXW6YTBOI");
    expect(base32Decode("MZXW6YTBOI======")).toEqual(text);
    expect(base32Decode("mzxw 6ytb oi")).toEqual(text);
    expect(base32Decode("MZ1W")).toBeNull();
    expect(otpauthUri("edge-guard", "alice", "MZXW6YTBOI")).toBe(
      "otpauth://totp/edge-guard:alice?secret=MZXW6YTBOI&issuer=edge-guard&algorithm=SHA1&digits=6&period=30",
    );
  });
});
