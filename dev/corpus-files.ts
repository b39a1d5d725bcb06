import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** A corpus input that cannot be trained on. The message names the file and the reason, for the operator. */
export class CorpusInputError extends Error {
  override readonly name = "CorpusInputError";
}

/** One readable text file of a corpus. */
export interface CorpusFile {
  readonly path: string;
  readonly text: string;
}

const SNIFF_BYTES = 8192;

/**
 * Reads text files (folders recursively, hidden files skipped, sorted so runs repeat) and checks each one:
 * not empty, not binary, valid UTF-8. Throws CorpusInputError on the first bad input, before anything is written.
 */
export function readCorpusFiles(paths: readonly string[]): CorpusFile[] {
  if (paths.length === 0) throw new CorpusInputError("no corpus files given");
  const files = paths.flatMap((path) => expand(path));
  if (files.length === 0) throw new CorpusInputError(`no files found in ${paths.join(", ")}`);
  return files.map((path) => ({ path, text: decodeText(path, readFileSync(path)) }));
}

/** Checks one file's bytes and decodes them; the reason for a rejection is in the error message. */
export function decodeText(path: string, bytes: Uint8Array): string {
  if (bytes.length === 0) throw new CorpusInputError(`${path}: file is empty`);
  const sniff = bytes.subarray(0, SNIFF_BYTES);
  let control = 0;
  for (const byte of sniff) {
    if (byte === 0) throw new CorpusInputError(`${path}: looks binary (contains NUL bytes); give plain UTF-8 text`);
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) control++;
  }
  if (control > sniff.length * 0.05)
    throw new CorpusInputError(`${path}: looks binary (${control} control bytes in the first ${sniff.length})`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new CorpusInputError(`${path}: is not valid UTF-8 (convert it first, e.g. iconv -f latin1 -t utf-8)`);
  }
  if (text.trim() === "") throw new CorpusInputError(`${path}: file has no text (only whitespace)`);
  return text;
}

function expand(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new CorpusInputError(`${path}: no such file or folder`);
  }
  if (stat.isFile()) return [path];
  if (!stat.isDirectory()) throw new CorpusInputError(`${path}: not a regular file or folder`);
  return readdirSync(path)
    .filter((name) => !name.startsWith("."))
    .sort()
    .flatMap((name) => expand(join(path, name)));
}
