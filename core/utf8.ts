/** UTF-8 sizes of JS strings, counted without `TextEncoder` (core has no DOM or Node types). */

/** Bytes `text` takes in UTF-8; a lone surrogate counts as the 3-byte U+FFFD it would be encoded as. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The longest run of whole lines from the start of `text` that fits in `maxBytes` of UTF-8 (all of it if it fits). */
export function utf8WholeLines(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 3 || utf8Length(text) <= maxBytes) return text;
  let bytes = 0;
  let lastBreak = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? 4 : c >= 0xdc00 && c < 0xe000 ? 0 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    if (c === 10 || c === 13) lastBreak = i + 1;
  }
  return text.slice(0, lastBreak);
}
