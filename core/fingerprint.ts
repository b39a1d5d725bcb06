/** FNV-1a's 32-bit offset basis: the hash of the empty string. */
const FNV_OFFSET = 0x811c9dc5;

/**
 * FNV-1a, 32-bit: a fast, stable hash for counting keys (not for security). `from`: the hash of text that comes
 * before (`fnv1a(b, fnv1a(a)) === fnv1a(a + b)`), so a caller need not build the joined string.
 */
export function fnv1a(text: string, from: number = FNV_OFFSET): number {
  let hash = from;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A header fingerprint: the same client software with the same settings hashes the same, whatever IP it
 * comes from, so a crawler rotating residential IPs still adds up under one key.
 */
export function headerFingerprint(userAgent: string, headers: Readonly<Record<string, string>>): string {
  const parts = [
    userAgent,
    headers["accept"],
    headers["accept-language"],
    headers["accept-encoding"],
    headers["sec-ch-ua"],
    headers["sec-fetch-mode"],
  ];
  return fnv1a(parts.map((p) => p ?? "-").join("\u0000")).toString(36);
}
