import { z } from "zod";
import { fnv1a } from "./fingerprint";
import { isTrapPath } from "./trap-paths";

/** The state every sequence starts from. */
export const START_SHAPE = "^";
/** The state of any shape outside a model's vocabulary (rare in, or absent from, its training sequences). */
export const UNKNOWN_SHAPE = "?";
/** Surprise, bits per transition, at which the `path_surprise` feature saturates (log2 of ~65 k equally likely next steps). */
export const MAX_SURPRISE_BITS = 16;

const ASSET_RE =
  /^\/(?:static|assets|_next|images?|img|css|js|fonts?)\/|\.(?:css|m?js|map|png|jpe?g|gif|svg|webp|avif|ico|woff2?|ttf|otf|eot|mp4|webm)$/i;
const FEED_RE = /^\/(?:feed|rss|atom)(?:\/|\.xml$|$)|\.(?:rss|atom)$|^\/index\.xml$/i;
const SITEMAP_RE = /^\/sitemap[\w-]*\.xml$/i;
/**
 * First path segments that mean the same on most sites (pagination, taxonomies, search, accounts); kept in shapes.
 * Any other word becomes `:w`, so a model trained on one site's paths still reads another's.
 */
const COMMON_SEGMENTS: ReadonlySet<string> = new Set([
  "page",
  "tag",
  "tags",
  "category",
  "categories",
  "topic",
  "topics",
  "search",
  "author",
  "authors",
  "archive",
  "archives",
  "user",
  "users",
  "login",
  "signin",
  "signup",
  "register",
  "account",
  "admin",
  "api",
  "cart",
  "checkout",
  "wp-admin",
  "wp-content",
  "wp-json",
  "wp-login.php",
  "xmlrpc.php",
  "cdn-cgi",
]);

/**
 * The shape of a URL path: what kind of request it is, with identifiers replaced. Site-agnostic on purpose:
 * `/page/3` → `/page/:n`, `/tags/coffee` → `/tags/:slug`, `/articles/france` → `/:w/:slug`, `/about` → `/:w`,
 * `/static/site.css` → `asset`, `/archive/…` under the trap prefix → `trap`; deeper segments collapse into `/+`.
 */
export function pathShape(path: string): string {
  const known = shapeMemo.get(path);
  if (known !== undefined) return known;
  if (shapeMemo.size >= SHAPE_MEMO_MAX) shapeMemo.clear();
  const shape = computeShape(path);
  shapeMemo.set(path, shape);
  return shape;
}

// Paths repeat a lot (assets, popular pages, a client's history scored again with each new report): remember shapes.
const SHAPE_MEMO_MAX = 20_000;
const shapeMemo = new Map<string, string>();

function computeShape(path: string): string {
  const clean = path.split(/[?#]/, 1)[0] ?? "";
  if (isTrapPath(clean)) return "trap";
  if (clean === "" || clean === "/") return "/";
  if (/^\/robots\.txt$/i.test(clean)) return "robots";
  if (SITEMAP_RE.test(clean)) return "sitemap";
  if (FEED_RE.test(clean)) return "feed";
  if (ASSET_RE.test(clean) || /^\/favicon/i.test(clean)) return "asset";
  if (clean.startsWith("/.well-known/")) return "well-known";
  const [first = "", second, ...rest] = clean.split("/").filter((s) => s !== "");
  const word = first.toLowerCase();
  const head = /^\d+$/.test(word) ? ":n" : COMMON_SEGMENTS.has(word) ? word : ":w";
  if (second === undefined) return `/${head}`;
  return `/${head}/${/^\d+$/.test(second) ? ":n" : ":slug"}${rest.length > 0 ? "/+" : ""}`;
}

/**
 * A first-order Markov chain over path shapes, as counts: `counts[i][j]` is how often `states[j]` followed
 * `states[i]` in the training sequences. `states` holds START_SHAPE and UNKNOWN_SHAPE. JSON-safe.
 */
export const PathModelSchema = z
  .strictObject({
    version: z.string().min(1).max(64),
    /** Additive (Lidstone) smoothing per transition. */
    alpha: z.number().positive(),
    states: z.array(z.string().min(1).max(64)).min(3),
    counts: z.array(z.array(z.number().int().nonnegative())),
  })
  .refine((m) => m.counts.length === m.states.length && m.counts.every((row) => row.length === m.states.length), {
    error: "counts must be a square matrix over states",
  })
  .refine((m) => m.states.includes(START_SHAPE) && m.states.includes(UNKNOWN_SHAPE), {
    error: `states must include "${START_SHAPE}" and "${UNKNOWN_SHAPE}"`,
  });
export type PathModel = z.infer<typeof PathModelSchema>;

/** A path model ready for scoring: state indices and −log2 transition probabilities, computed once. */
export interface CompiledPathModel {
  readonly version: string;
  readonly index: ReadonlyMap<string, number>;
  /** −log2 P(to | from), row-major `[from * states + to]`. */
  readonly bits: Float64Array;
  readonly size: number;
}

/**
 * Counts transitions in human sequences (each a client's shapes in time order). Shapes seen fewer than `minCount`
 * times become UNKNOWN_SHAPE, so the model generalises instead of memorising one visitor's odd page.
 */
export function trainPathModel(sequences: readonly (readonly string[])[], alpha = 0.5, minCount = 3): PathModel {
  const seen = new Map<string, number>();
  for (const sequence of sequences) for (const shape of sequence) seen.set(shape, (seen.get(shape) ?? 0) + 1);
  const vocabulary = [...seen]
    .filter(([shape, n]) => n >= minCount && shape !== START_SHAPE && shape !== UNKNOWN_SHAPE)
    .map(([shape]) => shape);
  const states = [START_SHAPE, UNKNOWN_SHAPE, ...vocabulary.sort()];
  const index = new Map(states.map((s, i) => [s, i]));
  const counts = states.map(() => states.map(() => 0));
  for (const sequence of sequences) {
    let from = 0;
    for (const shape of sequence) {
      const to = index.get(shape) ?? 1;
      const row = counts[from];
      if (row !== undefined) row[to] = (row[to] ?? 0) + 1;
      from = to;
    }
  }
  const version = `pm-${fnv1a(JSON.stringify([alpha, states, counts]))
    .toString(16)
    .padStart(8, "0")}`;
  return { version, alpha, states, counts };
}

/** Precomputes −log2 probabilities: P(to | from) = (count + α) / (row total + α·(states − 1)); START is never a target. */
export function compilePathModel(model: PathModel): CompiledPathModel {
  const size = model.states.length;
  const bits = new Float64Array(size * size);
  model.counts.forEach((row, from) => {
    const total = row.reduce((sum, n, to) => (to === 0 ? sum : sum + n), 0);
    const denominator = total + model.alpha * (size - 1);
    row.forEach((n, to) => (bits[from * size + to] = to === 0 ? MAX_SURPRISE_BITS : -Math.log2((n + model.alpha) / denominator)));
  });
  return { version: model.version, index: new Map(model.states.map((s, i) => [s, i])), bits, size };
}

/** Mean surprise, in bits per transition, of a client's shapes (oldest first) under the model, from START_SHAPE on. */
export function pathSurprise(model: CompiledPathModel, shapes: readonly string[]): number {
  if (shapes.length === 0) return 0;
  let from = 0;
  let sum = 0;
  for (const shape of shapes) {
    const to = model.index.get(shape) ?? 1;
    sum += model.bits[from * model.size + to] ?? MAX_SURPRISE_BITS;
    from = to;
  }
  return Math.min(sum / shapes.length, MAX_SURPRISE_BITS);
}

/** What a client's recent path sequence looks like, for the model's features. */
export interface SequenceStats {
  /** Mean bits per transition under the human path model; 0 without a model. */
  readonly surprise: number;
  /** Requests in the sequence. */
  readonly length: number;
  /** Share of requests for assets (stylesheets, images, fonts): browsers load them, most scrapers do not. */
  readonly assetShare: number;
  /** Share of requests inside the tarpit's labyrinth. */
  readonly trapShare: number;
}

/** Statistics of a client's paths, oldest first (its recent history, then the current request). */
export function sequenceStats(paths: readonly string[], model: CompiledPathModel | null): SequenceStats {
  const shapes = paths.map(pathShape);
  const share = (shape: string): number => (shapes.length === 0 ? 0 : shapes.filter((s) => s === shape).length / shapes.length);
  return {
    surprise: model === null ? 0 : pathSurprise(model, shapes),
    length: shapes.length,
    assetShare: share("asset"),
    trapShare: share("trap"),
  };
}
