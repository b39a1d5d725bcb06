import type { StreamConfig } from "./tarpit-config";

/** How one body is paced: a chunk of `chunkBytes` every `delayMs`; the first goes out at once. */
export interface Pace {
  readonly chunkBytes: number;
  readonly delayMs: number;
  /** What happens when `maxMs` is reached before the end: "finish" sends the rest at once, "truncate" ends the body. */
  readonly atCap: "finish" | "truncate";
  readonly maxMs: number;
}

/**
 * The pace of a page of `totalBytes`: the configured delay, with chunks grown just enough that the whole page
 * arrives within the cap (a page is small, and whole pages keep the maze believable). Fewer, larger chunks
 * also mean fewer timer wake-ups, which is the tarpit's CPU cost.
 */
export function pagePace(totalBytes: number, config: StreamConfig): Pace {
  if (config.delayMs === 0) return { chunkBytes: Math.max(totalBytes, 1), delayMs: 0, atCap: "finish", maxMs: config.maxMs };
  const wanted = Math.max(1, Math.ceil(totalBytes / config.chunkBytes));
  const fitting = Math.floor(config.maxMs / config.delayMs) + 1;
  const chunkBytes = wanted <= fitting ? config.chunkBytes : Math.ceil(totalBytes / fitting);
  return { chunkBytes, delayMs: config.delayMs, atCap: "finish", maxMs: config.maxMs };
}

/** The pace of a fake asset: configured chunks and delay, cut off at the cap (it is bigger than anyone will wait for). */
export function assetPace(config: StreamConfig): Pace {
  return { chunkBytes: config.chunkBytes, delayMs: config.delayMs, atCap: "truncate", maxMs: config.maxMs };
}

/** Chunks a slow stream of `totalBytes` will send at `pace`, and how long it takes (ms), if the client reads it all. */
export function plannedChunks(totalBytes: number, pace: Pace): { readonly chunks: number; readonly ms: number } {
  const all = Math.max(1, Math.ceil(totalBytes / pace.chunkBytes));
  if (pace.delayMs === 0) return { chunks: all, ms: 0 };
  const inCap = Math.floor(pace.maxMs / pace.delayMs) + 1;
  const chunks = pace.atCap === "truncate" ? Math.min(all, inCap) : all;
  return { chunks, ms: Math.min(chunks - 1, inCap - 1) * pace.delayMs };
}

/**
 * Re-cuts a sequence of byte pieces into chunks of exactly `chunkBytes` (the last may be shorter), holding at
 * most one chunk: a body generated piece by piece never sits in memory whole.
 */
export function* rechunk(pieces: Iterable<Uint8Array>, chunkBytes: number): Generator<Uint8Array> {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  let buffer = new Uint8Array(chunkBytes);
  let filled = 0;
  for (const piece of pieces) {
    let offset = 0;
    while (offset < piece.length) {
      const take = Math.min(chunkBytes - filled, piece.length - offset);
      buffer.set(piece.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === chunkBytes) {
        yield buffer;
        buffer = new Uint8Array(chunkBytes); // the consumer may keep the one it got
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}

/** The first `limit` bytes of a sequence of pieces; the generator behind it is not pulled any further. */
export function* takeBytes(pieces: Iterable<Uint8Array>, limit: number): Generator<Uint8Array> {
  let left = limit;
  if (left <= 0) return;
  for (const piece of pieces) {
    yield piece.length <= left ? piece : piece.subarray(0, left);
    left -= piece.length;
    if (left <= 0) return;
  }
}
