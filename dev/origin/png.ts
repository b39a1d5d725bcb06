import { deflateSync } from "node:zlib";

/** An RGBA image: `pixels` holds width × height × 4 bytes, row by row. */
export type Bitmap = { readonly width: number; readonly height: number; readonly pixels: Uint8Array };

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** A blank bitmap filled with one colour, given as [r, g, b, a]. */
export function createBitmap(width: number, height: number, fill: readonly [number, number, number, number]): Bitmap {
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0; i < pixels.length; i += 4) pixels.set(fill, i);
  return { width, height, pixels };
}

/** Paints a filled disc; pixels outside the bitmap are skipped. */
export function fillDisc(bitmap: Bitmap, cx: number, cy: number, radius: number, rgba: readonly [number, number, number, number]): void {
  for (let y = Math.floor(cy - radius); y <= Math.ceil(cy + radius); y++) {
    for (let x = Math.floor(cx - radius); x <= Math.ceil(cx + radius); x++) {
      if (x < 0 || y < 0 || x >= bitmap.width || y >= bitmap.height) continue;
      if ((x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2) bitmap.pixels.set(rgba, (y * bitmap.width + x) * 4);
    }
  }
}

/** Encodes a bitmap as an 8-bit RGBA PNG. zlib at a fixed level gives the same bytes for the same input. */
export function encodePng(bitmap: Bitmap): Uint8Array {
  const { width, height, pixels } = bitmap;
  const rowBytes = width * 4;
  const raw = new Uint8Array((rowBytes + 1) * height); // each row starts with filter type 0 (none)
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA, deflate, adaptive filtering, no interlace
  return concat([SIGNATURE, chunk("IHDR", header), chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", new Uint8Array(0))]);
}

/** Wraps one PNG in an ICO container (PNG entries are valid since Windows Vista). */
export function encodeIco(png: Uint8Array, width: number, height: number): Uint8Array {
  const header = new Uint8Array(6 + 16);
  const view = new DataView(header.buffer);
  view.setUint16(2, 1, true); // type: icon
  view.setUint16(4, 1, true); // one image
  header[6] = width % 256; // 0 means 256
  header[7] = height % 256;
  view.setUint16(10, 1, true); // colour planes
  view.setUint16(12, 32, true); // bits per pixel
  view.setUint32(14, png.length, true);
  view.setUint32(18, header.length, true); // image data starts right after the directory
  return concat([header, png]);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
