/**
 * IP addresses as 32-bit words, parsed without allocating so that set lookups on the request path cost no garbage.
 * IPv4 is one word; IPv6 is four, most significant first. IPv6 text forms: https://www.rfc-editor.org/rfc/rfc4291#section-2.2
 */

/** Address family of parsed text: 4, 6, or 0 when the text is not an address. */
export type Family = 0 | 4 | 6;

/** Words per address of each family. */
export const WORDS: { readonly 4: 1; readonly 6: 4 } = { 4: 1, 6: 4 };

/** Bits per address of each family. */
export const BITS: { readonly 4: 32; readonly 6: 128 } = { 4: 32, 6: 128 };

// Scratch for the eight 16-bit IPv6 groups; JS is single-threaded, so one buffer serves every call.
const GROUPS = new Uint16Array(8);

/**
 * Parses `text[start, end)` into `out` (IPv4 in out[0], IPv6 in out[0..3]) and returns the family, or 0 if it
 * is not an address. Strict: no leading zeros in IPv4 octets (they read as octal elsewhere), no zone IDs.
 */
export function parseInto(text: string, out: Uint32Array, start = 0, end = text.length): Family {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 58 /* : */) return parseV6(text, start, end, out) ? 6 : 0;
    if (c === 46 /* . */) break;
  }
  const v4 = parseV4(text, start, end);
  if (v4 < 0) return 0;
  out[0] = v4;
  return 4;
}

/** The uint32 value of a dotted quad in `text[start, end)`, or -1. */
function parseV4(text: string, start: number, end: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) return -1; // "01"
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      value = value * 256 + octet; // multiplication keeps the value a positive double past 2^31
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : -1;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses IPv6 text (with `::` and an optional dotted-quad tail) into four words; false if malformed. */
function parseV6(text: string, start: number, end: number, out: Uint32Array): boolean {
  let count = 0;
  let gap = -1;
  let i = start;
  if (end - start >= 2 && text.charCodeAt(i) === 58) {
    if (text.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    let j = i;
    let value = 0;
    for (let h = hexValue(text.charCodeAt(j)); j < end && h >= 0; h = hexValue(text.charCodeAt(++j))) value = value * 16 + h;
    if (j < end && text.charCodeAt(j) === 46) {
      const v4 = parseV4(text, i, end);
      if (v4 < 0 || count > 6) return false;
      GROUPS[count++] = v4 >>> 16;
      GROUPS[count++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (j === i || j - i > 4 || count === 8) return false;
    GROUPS[count++] = value;
    if (j === end) {
      i = end;
      break;
    }
    if (text.charCodeAt(j) !== 58) return false;
    if (j + 1 < end && text.charCodeAt(j + 1) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === end) return false; // a trailing single colon
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  const zeros = 8 - count;
  for (let w = 0; w < 4; w++) {
    const hi = groupAt(2 * w, gap, zeros);
    const lo = groupAt(2 * w + 1, gap, zeros);
    out[w] = ((hi << 16) | lo) >>> 0;
  }
  return true;
}

/** Group `k` of the expanded address: `zeros` zero groups are inserted at `gap`. */
function groupAt(k: number, gap: number, zeros: number): number {
  if (gap < 0 || k < gap) return GROUPS[k] ?? 0;
  if (k < gap + zeros) return 0;
  return GROUPS[k - zeros] ?? 0;
}

/** True when four IPv6 words are an IPv4-mapped address, ::ffff:a.b.c.d (https://www.rfc-editor.org/rfc/rfc4291#section-2.5.5.2). */
export function isV4Mapped(words: Uint32Array): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff;
}

/** Canonical text of an address: dotted quad, or eight zero-padded lower-case groups (as `parseIp` gives). */
export function formatWords(family: 4 | 6, words: ArrayLike<number>): string {
  if (family === 4) {
    const v = words[0] ?? 0;
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const groups: string[] = [];
  for (let w = 0; w < 4; w++) {
    const v = words[w] ?? 0;
    groups.push((v >>> 16).toString(16).padStart(4, "0"), (v & 0xffff).toString(16).padStart(4, "0"));
  }
  return groups.join(":");
}

/** The mask word for word index `w` of a prefix of `bits` bits. */
export function maskWord(w: number, bits: number): number {
  const inWord = bits - 32 * w;
  if (inWord >= 32) return 0xffffffff;
  if (inWord <= 0) return 0;
  return (0xffffffff << (32 - inWord)) >>> 0;
}
