import { generateWords, hash32, randomInt, type MarkovChain, type Random } from "./markov";
import { TRAP_PATH_PREFIX } from "./trap-paths";
import { escapeHtml } from "./text";

/** Gives each role of a page (e.g. "title", "meta") its class name under the page's naming scheme. */
export type ClassNames = (role: string) => string;

/** A date as a page shows it: machine-readable and in the page's house style. */
export interface PageDate {
  readonly iso: string;
  readonly text: string;
}

/** Links deeper into the maze, each to a new, never-repeating path. */
export interface MazeLinks {
  /** A maze URL whose last segment is `slug`. */
  href(slug: string): string;
  /** An `<a>` with a Markov label and a matching slug; `className` is added when given. */
  anchor(className?: string): string;
  /** The page after `path` in a paginated series, inside the maze. */
  next(path: string): string;
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const BEM_BLOCKS = ["entry", "post", "story", "doc", "page", "content", "article", "record"];
const PREFIXES = ["c", "site", "wp", "sr", "ar", "js", "ui", "l"];
const UTILITIES = ["mt-4", "mb-2", "px-3", "text-sm", "text-lg", "flex", "grid", "gap-2", "italic", "font-serif", "max-w-prose", "py-1"];
const PAGINATED = new RegExp(`^(${TRAP_PATH_PREFIX}[0-9a-f]{8}/[a-z0-9-]+)(?:/(\\d{1,4}))?/?$`);

export { escapeHtml };

/** A URL slug from words: ASCII letters and digits, joined by hyphens. */
export function slugify(words: readonly string[]): string {
  return words
    .map((w) =>
      w
        .normalize("NFKD")
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, ""),
    )
    .filter((w) => w !== "")
    .join("-");
}

/** An item of a non-empty list, drawn at random. */
export function pick<T>(random: Random, items: readonly [T, ...T[]]): T {
  return items[randomInt(random, 0, items.length - 1)] ?? items[0];
}

/** A capitalised run of `min`..`max` Markov words (no punctuation); `fallback` when the chain gives nothing. */
export function phrase(chain: MarkovChain, random: Random, min: number, max: number, fallback: string): string {
  const text = generateWords(chain, random, randomInt(random, min, max)).join(" ");
  return text === "" ? fallback : text.charAt(0).toUpperCase() + text.slice(1);
}

/** Eight hex digits from the random source. */
export function hex8(random: Random): string {
  return randomInt(random, 0, 0xffffffff).toString(16).padStart(8, "0");
}

/**
 * A class-naming scheme for one page: plain, BEM, CSS-modules hashes, a site prefix or utility classes.
 * The same role keeps its name within the page, so the page's own stylesheet can refer to it.
 */
export function classNames(random: Random, seed: string): ClassNames {
  const scheme = randomInt(random, 0, 4);
  const block = pick(random, BEM_BLOCKS as [string, ...string[]]);
  const prefix = pick(random, PREFIXES as [string, ...string[]]);
  const names = new Map<string, string>();
  return (role) => {
    let name = names.get(role);
    if (name !== undefined) return name;
    const h = hash32(`${seed}\u0000${role}`);
    if (scheme === 0) name = role;
    else if (scheme === 1) name = `${block}__${role}`;
    else if (scheme === 2) name = `${block.charAt(0).toUpperCase()}${block.slice(1)}_${role}__${h.toString(36).slice(0, 5)}`;
    else if (scheme === 3) name = `${prefix}-${role}`;
    else name = `${role} ${UTILITIES[h % UTILITIES.length] ?? "mt-4"}`;
    names.set(role, name);
    return name;
  };
}

/** The first class of a (possibly multi-class) name, as a CSS selector. */
export function selector(className: string): string {
  return `.${className.split(" ")[0] ?? className}`;
}

/** A date formatter in one of four house styles, drawn once per page. */
export function dateStyle(random: Random): (random: Random) => PageDate {
  const style = randomInt(random, 0, 3);
  return (r) => {
    const year = randomInt(r, 2006, 2025);
    const month = randomInt(r, 1, 12);
    const day = randomInt(r, 1, 28);
    const iso = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
    const name = MONTHS[month - 1] ?? "May";
    const text = [iso, `${day} ${name} ${year}`, `${name} ${day}, ${year}`, `${day} ${name.slice(0, 3)} ${year}`][style] ?? iso;
    return { iso, text };
  };
}

/** Links into the maze: `/archive/<8 hex>/<slug>`, unique per page and position, labelled with Markov words. */
export function mazeLinks(chain: MarkovChain, random: Random, seed: string): MazeLinks {
  let n = 0;
  const href = (slug: string): string => {
    const id = hash32(`${seed}\u0000${n++}`).toString(16).padStart(8, "0");
    return `${TRAP_PATH_PREFIX}${id}/${slug || "entry"}`;
  };
  const anchor = (className?: string): string => {
    const words = generateWords(chain, random, randomInt(random, 2, 5));
    const label = words.join(" ") || "more";
    return `<a href="${href(slugify(words))}"${className ? ` class="${className}"` : ""}>${escapeHtml(label)}</a>`;
  };
  const next = (path: string): string => {
    const match = PAGINATED.exec(path);
    if (match === null) return `${href("index")}/2`;
    return `${match[1]}/${Number(match[2] ?? "1") + 1}`;
  };
  return { href, anchor, next };
}
