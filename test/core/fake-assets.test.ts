import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, gzipStored } from "../../core/fake-archive";
import { fakeAssetFor, fakeAssetHref, fakeAssetPieces, type FakeAsset } from "../../core/fake-assets";
import { createRandom } from "../../core/markov";

const SCRIPT = "/archive/static/0badf00d/vendor.12ab34cd.js";
const ARCHIVE = "/archive/files/0badf00d/harbour-survey-2019.tar.gz";

function concat(pieces: Iterable<Uint8Array>): Buffer {
  return Buffer.concat([...pieces].map((p) => Buffer.from(p)));
}

function asset(path: string, max: number): FakeAsset {
  const found = fakeAssetFor(path, "secret", max);
  if (found === null) throw new Error(`${path} is not an asset`);
  return found;
}

/** The file names and sizes in a tar, read from its 512-byte headers. */
function tarEntries(tar: Buffer): Array<{ name: string; size: number }> {
  const out: Array<{ name: string; size: number }> = [];
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const sum = header.reduce((s, b, i) => s + (i >= 148 && i < 156 ? 32 : b), 0);
    expect(Number.parseInt(header.subarray(148, 154).toString("latin1"), 8)).toBe(sum);
    expect(header.subarray(257, 263).toString("latin1")).toBe("ustar\0");
    const size = Number.parseInt(header.subarray(124, 135).toString("latin1"), 8);
    out.push({ name: header.subarray(0, 100).toString("latin1").replace(/\0.*$/s, ""), size });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe("fake assets", () => {
  it("recognises only the asset paths the labyrinth links to", () => {
    const random = createRandom("page");
    expect(fakeAssetFor(fakeAssetHref("script", random, ""), "", 1 << 20)?.kind).toBe("script");
    expect(fakeAssetFor(fakeAssetHref("archive", random, "data-set"), "", 1 << 20)?.kind).toBe("archive");
    for (const path of ["/archive/0badf00d/page", "/app.js", "/archive/static/x/app.js", "/archive/files/0badf00d/../a.tar.gz"]) {
      expect(fakeAssetFor(path, "", 1 << 20), path).toBeNull();
    }
  });

  it("writes the same bytes for the same path and secret, other bytes for another secret", () => {
    const a = concat(fakeAssetPieces(asset(SCRIPT, 64 << 10)));
    expect(concat(fakeAssetPieces(asset(SCRIPT, 64 << 10)))).toEqual(a);
    const other = fakeAssetFor(SCRIPT, "other", 64 << 10);
    expect(other && concat(fakeAssetPieces(other))).not.toEqual(a);
  });

  it("writes a webpack-like bundle that parses as JavaScript, within its size", () => {
    for (const max of [16 << 10, 200 << 10]) {
      const script = asset(SCRIPT, max);
      const bytes = concat(fakeAssetPieces(script));
      expect(bytes.length).toBeLessThanOrEqual(script.bytes);
      expect(bytes.length).toBeGreaterThan(script.bytes - 2048);
      expect(() => new Function(bytes.toString("latin1"))).not.toThrow();
    }
  });

  it("writes a .tar.gz that gunzip and tar accept, within its size", () => {
    for (const max of [16 << 10, 100 << 10, 3 << 20]) {
      const archive = asset(ARCHIVE, max);
      const gz = concat(fakeAssetPieces(archive));
      expect(gz.length).toBeLessThanOrEqual(archive.bytes);
      expect(gz.length).toBeGreaterThan(archive.bytes * 0.9);
      const tar = gunzipSync(gz);
      const entries = tarEntries(tar);
      expect(entries.length).toBeGreaterThanOrEqual(1);
      for (const entry of entries) expect(entry.name).toMatch(/^[a-z]+-export\/[a-z]+-part-\d{3}\.csv$/);
      expect(tar.subarray(512, 560).toString("latin1")).toMatch(/^id,date,region,series,value,score\n1,\d{4}-\d{2}-\d{2},/);
    }
  });

  it("generates piece by piece: no piece is bigger than a few KB, however large the asset", () => {
    let largest = 0;
    let total = 0;
    for (const piece of fakeAssetPieces(asset(ARCHIVE, 8 << 20))) {
      largest = Math.max(largest, piece.length);
      total += piece.length;
    }
    expect(largest).toBeLessThanOrEqual(4096);
    expect(total).toBeGreaterThan(4 << 20);
  });

  it("computes CRC-32 as zlib does, incrementally", () => {
    const data = Buffer.from("The quick brown fox jumps over the lazy dog");
    expect(crc32(0, data)).toBe(0x414fa339);
    expect(crc32(crc32(0, data.subarray(0, 10)), data.subarray(10))).toBe(0x414fa339);
    expect(gunzipSync(concat(gzipStored([data, new Uint8Array(70_000)]))).length).toBe(data.length + 70_000);
  });
});
