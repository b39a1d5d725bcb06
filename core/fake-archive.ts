/**
 * A .tar.gz written as a stream without compressing anything: ustar entries inside gzip "stored" deflate blocks
 * (RFC 1952 and RFC 1951 §3.2.4). Valid for gunzip and tar, costs one CRC-32 pass, and is produced piece by piece.
 */

/** One file of an archive. `content()` must yield exactly `size` bytes. */
export interface ArchiveEntry {
  readonly name: string;
  readonly size: number;
  content(): Iterable<Uint8Array>;
}

const BLOCK = 512;
const MAX_STORED = 0xffff;
let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE, as gzip uses it) of `bytes`, continuing from `crc` (0 to start). */
export function crc32(crc: number, bytes: Uint8Array): number {
  const table = (crcTable ??= makeCrcTable());
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = (table[(c ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return ~c >>> 0;
}

/** A tar stream: a 512-byte header per entry, its content padded to 512, then two zero blocks. */
export function* tarPieces(entries: Iterable<ArchiveEntry>, mtimeSeconds: number): Generator<Uint8Array> {
  for (const entry of entries) {
    yield tarHeader(entry.name, entry.size, mtimeSeconds);
    let written = 0;
    for (const piece of entry.content()) {
      written += piece.length;
      yield piece;
    }
    if (written !== entry.size) throw new Error(`archive entry ${entry.name} wrote ${written} bytes, declared ${entry.size}`);
    const pad = (BLOCK - (entry.size % BLOCK)) % BLOCK;
    if (pad > 0) yield new Uint8Array(pad);
  }
  yield new Uint8Array(2 * BLOCK);
}

/** Wraps a byte stream in gzip without compression: each piece becomes stored blocks, then an empty final block. */
export function* gzipStored(pieces: Iterable<Uint8Array>): Generator<Uint8Array> {
  yield Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3); // magic, deflate, no flags, mtime 0, Unix
  let crc = 0;
  let size = 0;
  for (const piece of pieces) {
    for (let offset = 0; offset < piece.length; offset += MAX_STORED) {
      const part = piece.subarray(offset, Math.min(piece.length, offset + MAX_STORED));
      crc = crc32(crc, part);
      size = (size + part.length) >>> 0;
      yield storedBlockHeader(part.length, false);
      yield part;
    }
  }
  yield storedBlockHeader(0, true);
  yield Uint8Array.of(
    crc & 0xff,
    (crc >>> 8) & 0xff,
    (crc >>> 16) & 0xff,
    crc >>> 24,
    size & 0xff,
    (size >>> 8) & 0xff,
    (size >>> 16) & 0xff,
    size >>> 24,
  );
}

/** ASCII text as bytes (core has no TextEncoder); anything outside ASCII becomes "?". */
export function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    bytes[i] = c < 0x80 ? c : 0x3f;
  }
  return bytes;
}

function storedBlockHeader(length: number, final: boolean): Uint8Array {
  return Uint8Array.of(final ? 1 : 0, length & 0xff, length >>> 8, ~length & 0xff, (~length >>> 8) & 0xff);
}

function tarHeader(name: string, size: number, mtimeSeconds: number): Uint8Array {
  const header = new Uint8Array(BLOCK);
  const put = (offset: number, text: string): void => header.set(asciiBytes(text), offset);
  const octal = (value: number, width: number): string =>
    `${Math.floor(value)
      .toString(8)
      .padStart(width - 1, "0")}\0`;
  put(0, name.slice(0, 99));
  put(100, octal(0o644, 8));
  put(108, octal(1000, 8));
  put(116, octal(1000, 8));
  put(124, octal(size, 12));
  put(136, octal(mtimeSeconds, 12));
  put(148, "        "); // the checksum counts its own field as spaces
  put(156, "0");
  put(257, "ustar\u000000");
  put(265, "archive");
  put(297, "archive");
  const sum = header.reduce((total, byte) => total + byte, 0);
  put(148, `${sum.toString(8).padStart(6, "0")}\0 `);
  return header;
}

function makeCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}
