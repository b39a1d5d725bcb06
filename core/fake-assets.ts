import { asciiBytes, gzipStored, tarPieces, type ArchiveEntry } from "./fake-archive";
import { createRandom, hash32, randomInt, type Random } from "./markov";
import { TRAP_PATH_PREFIX } from "./trap-paths";

/** A fake JS bundle or data archive the labyrinth links to. */
export type FakeAssetKind = "script" | "archive";

/** One fake asset: what to answer for its path. `bytes` is its full length; nobody is sent all of it. */
export interface FakeAsset {
  readonly kind: FakeAssetKind;
  readonly contentType: string;
  readonly bytes: number;
  readonly seed: string;
}

const SCRIPT_PATH = new RegExp(`^${TRAP_PATH_PREFIX}static/[0-9a-f]{8}/[a-z-]+\\.[0-9a-f]{8}\\.js$`);
const ARCHIVE_PATH = new RegExp(`^${TRAP_PATH_PREFIX}files/[0-9a-f]{8}/[a-z0-9-]+\\.tar\\.gz$`);
const BUNDLES = ["app", "main", "vendor", "runtime", "framework", "polyfills", "chunk-vendors", "commons"];
const WORDS = [
  "grid",
  "panel",
  "toggle",
  "harbour",
  "region",
  "survey",
  "archive",
  "index",
  "table",
  "chart",
  "export",
  "filter",
  "record",
  "ledger",
  "census",
  "coast",
  "valley",
  "summary",
  "detail",
  "entry",
  "series",
  "report",
  "legend",
  "scale",
];
const PIECE_BYTES = 4096;

/** A link target for a fake asset, drawn from the page's random source (so the page stays deterministic). */
export function fakeAssetHref(kind: FakeAssetKind, random: Random, slug: string): string {
  const hex = (): string => randomInt(random, 0, 0xffffffff).toString(16).padStart(8, "0");
  if (kind === "script")
    return `${TRAP_PATH_PREFIX}static/${hex()}/${BUNDLES[randomInt(random, 0, BUNDLES.length - 1)] ?? "app"}.${hex()}.js`;
  return `${TRAP_PATH_PREFIX}files/${hex()}/${slug || "dataset"}-${randomInt(random, 2009, 2025)}.tar.gz`;
}

/** The fake asset at `path`, or null when the path is a page. Its size is fixed by the path, in [max/2, max]. */
export function fakeAssetFor(path: string, secret: string, maxBytes: number): FakeAsset | null {
  const kind: FakeAssetKind | null = SCRIPT_PATH.test(path) ? "script" : ARCHIVE_PATH.test(path) ? "archive" : null;
  if (kind === null) return null;
  const seed = `${secret}\u0000asset\u0000${path}`;
  const bytes = randomInt(createRandom(seed), Math.ceil(maxBytes / 2), maxBytes);
  return { kind, bytes, seed, contentType: kind === "script" ? "text/javascript; charset=utf-8" : "application/gzip" };
}

/** The asset's bytes, generated piece by piece (a few KB at a time), never more than `asset.bytes` in all. */
export function fakeAssetPieces(asset: FakeAsset): Generator<Uint8Array> {
  return asset.kind === "script" ? scriptPieces(asset) : gzipStored(tarPieces(archiveEntries(asset), archiveTime(asset.seed)));
}

function* scriptPieces(asset: FakeAsset): Generator<Uint8Array> {
  const chunkName = hash32(asset.seed) % 1000;
  const head = asciiBytes(`"use strict";(self.webpackChunkapp=self.webpackChunkapp||[]).push([[${chunkName}],{\n`);
  const foot = asciiBytes(`}]);\n//# sourceMappingURL=${chunkName}.js.map\n`);
  let left = asset.bytes - head.length - foot.length;
  yield head;
  for (let i = 0; ; i++) {
    const module = asciiBytes(scriptModule(createRandom(`${asset.seed}\u0000${i}`), i));
    if (module.length > left) break;
    left -= module.length;
    yield module;
  }
  yield foot;
}

function scriptModule(random: Random, index: number): string {
  const id = 1000 + ((index * 7919) % 9000);
  const w = (): string => WORDS[randomInt(random, 0, WORDS.length - 1)] ?? "x";
  const v = (): string => String.fromCharCode(97 + randomInt(random, 0, 25));
  const dep = (): number => randomInt(random, 1000, 9999);
  const [a, b, c, d] = [v(), v(), v(), v()];
  const strings = Array.from({ length: randomInt(random, 2, 6) }, () => `"${w()}-${w()}__${w()}"`).join(",");
  switch (randomInt(random, 0, 3)) {
    case 0:
      return `${id}:function(e,t,n){n.d(t,{Z:function(){return ${a}}});var ${b}=n(${dep()}),${c}=n(${dep()}),${d}=[${strings}];function ${a}(e){var t=e.items,n=void 0===t?[]:t;return ${b}.createElement("div",{className:${d}[0]},n.map(function(e,t){return ${b}.createElement(${c}.Z,{key:t,label:e.title+" "+${d}[t%${d}.length]})}))}},\n`;
    case 1:
      return `${id}:function(e,t,n){var ${a}=n(${dep()});e.exports=function(e,t){for(var n=-1,r=null==e?0:e.length,${b}=Array(r);++n<r;)${b}[n]=t(e[n],n,e);return ${b}.filter(Boolean).concat(${a}([${strings}]))}},\n`;
    case 2:
      return `${id}:function(e,t){"use strict";Object.defineProperty(t,"__esModule",{value:!0}),t.${w()}=void 0;var ${a}={${Array.from({ length: randomInt(random, 3, 9) }, () => `${w()}${randomInt(random, 0, 99)}:${randomInt(random, 0, 65535)}`).join(",")}};t.${w()}=function(e){return ${a}[e]||${randomInt(random, 0, 999)}}},\n`;
    default:
      return `${id}:function(e,t,n){"use strict";n.r(t),n.d(t,{default:function(){return ${c}}});var ${a}=n(${dep()}),${b}=n.n(${a});function ${c}(){var e=(0,${a}.useState)(${randomInt(random, 0, 50)}),t=e[0],n=e[1];return (0,${a}.useEffect)(function(){var e=setTimeout(function(){return n(t+1)},${randomInt(random, 100, 5000)});return function(){return clearTimeout(e)}},[t]),${b}().createElement("span",{"data-${w()}":t},[${strings}][t%${randomInt(random, 2, 6)}])}},\n`;
  }
}

function archiveEntries(asset: FakeAsset): ArchiveEntry[] {
  const random = createRandom(`${asset.seed}\u0000entries`);
  const files = Math.max(1, Math.min(randomInt(random, 2, 6), Math.floor(asset.bytes / 8192)));
  // Tar headers and padding take up to 1 KB per file, gzip 5 bytes per piece (~0.12 %): stay under `bytes`.
  const each = Math.max(0, Math.floor(((asset.bytes - 1100 * (files + 1) - 64) * 0.99) / files));
  const base = WORDS[randomInt(random, 0, WORDS.length - 1)] ?? "data";
  return Array.from({ length: files }, (_, i) => ({
    name: `${base}-export/${base}-part-${String(i + 1).padStart(3, "0")}.csv`,
    size: each,
    content: () => csvPieces(createRandom(`${asset.seed}\u0000file\u0000${i}`), each),
  }));
}

function* csvPieces(random: Random, size: number): Generator<Uint8Array> {
  let left = size;
  let text = "id,date,region,series,value,score\n";
  let row = 0;
  while (left > 0) {
    while (text.length < PIECE_BYTES) {
      const date = `${randomInt(random, 2009, 2025)}-${String(randomInt(random, 1, 12)).padStart(2, "0")}-${String(randomInt(random, 1, 28)).padStart(2, "0")}`;
      text += `${++row},${date},${WORDS[randomInt(random, 0, WORDS.length - 1)]},${WORDS[randomInt(random, 0, WORDS.length - 1)]},${randomInt(random, 0, 999999)},${(random() * 100).toFixed(3)}\n`;
    }
    const piece = text.slice(0, Math.min(left, PIECE_BYTES));
    text = text.slice(piece.length);
    left -= piece.length;
    yield asciiBytes(piece);
  }
}

function archiveTime(seed: string): number {
  return 1_262_304_000 + (hash32(`${seed}\u0000mtime`) % 473_040_000); // 2010-01-01 plus up to 15 years
}
