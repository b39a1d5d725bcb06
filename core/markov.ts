/** Order of the chain when none is given: two words of context read well and stay far from copying the corpus. */
export const DEFAULT_MARKOV_ORDER = 2;

/** The token that pads the prefix before a sentence's first word; the tokeniser never produces it. */
export const SENTENCE_START = "<s>";

/** Longest sentence generated, in tokens, before it is cut and closed with a full stop. */
export const MAX_SENTENCE_TOKENS = 48;

/** One row of a chain: after the words in `prefix` (joined by one space), `next` followed `weight` times. */
export interface Transition {
  readonly prefix: string;
  readonly next: string;
  readonly weight: number;
}

/** What may follow one prefix: candidates in a fixed order and their running weight totals, for a binary search. */
export interface ChainState {
  readonly next: readonly string[];
  readonly cumulative: Uint32Array;
}

/** A chain ready for generation. Built from transitions in any order: states are sorted, so output is reproducible. */
export interface MarkovChain {
  readonly order: number;
  readonly states: ReadonlyMap<string, ChainState>;
}

/** Counts of a trained corpus: prefix → next → count. */
export type TransitionCounts = Map<string, Map<string, number>>;

/** A random source in [0, 1). */
export type Random = () => number;

const TOKEN = /\p{N}+(?:[.,]\p{N}+)*%?(?![\p{L}\p{N}])|(?:\p{L}\.){2,}|[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*|[.,;:!?]/gu;
const TERMINAL = new Set([".", "!", "?"]);
const NO_SPACE_BEFORE = /^[.,;:!?%]$/;

/** Splits text into words, numbers and the punctuation `. , ; : ! ?`; quotes, brackets and symbols are dropped. */
export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** Splits text into sentences of tokens: at `. ! ?` and at blank lines (a heading without a full stop ends too). */
export function sentencesOf(text: string): string[][] {
  const sentences: string[][] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    let current: string[] = [];
    for (const token of tokenize(paragraph)) {
      current.push(token);
      if (TERMINAL.has(token)) {
        sentences.push(current);
        current = [];
      }
    }
    if (current.length > 0) sentences.push(current);
  }
  return sentences;
}

/** Adds the transitions of `text` to `counts` (order-N, per sentence) and returns the number of tokens read. */
export function countTransitions(counts: TransitionCounts, text: string, order: number = DEFAULT_MARKOV_ORDER): number {
  if (!Number.isInteger(order) || order < 1) throw new RangeError(`order must be a positive integer, got ${order}`);
  let tokens = 0;
  for (const sentence of sentencesOf(text)) {
    tokens += sentence.length;
    const window: string[] = Array.from({ length: order }, () => SENTENCE_START);
    for (const token of sentence) {
      const prefix = window.join(" ");
      let nexts = counts.get(prefix);
      if (nexts === undefined) counts.set(prefix, (nexts = new Map()));
      nexts.set(token, (nexts.get(token) ?? 0) + 1);
      window.shift();
      window.push(token);
    }
  }
  return tokens;
}

/** Flattens counts into transition rows. */
export function* transitionsOf(counts: TransitionCounts): Generator<Transition> {
  for (const [prefix, nexts] of counts) for (const [next, weight] of nexts) yield { prefix, next, weight };
}

/** Builds a generation-ready chain from transition rows (e.g. read from Postgres), whatever their order. */
export function chainFromTransitions(order: number, transitions: Iterable<Transition>): MarkovChain {
  const grouped = new Map<string, Transition[]>();
  for (const t of transitions) {
    if (t.weight <= 0) continue;
    const list = grouped.get(t.prefix);
    if (list === undefined) grouped.set(t.prefix, [t]);
    else list.push(t);
  }
  const states = new Map<string, ChainState>();
  for (const [prefix, list] of grouped) {
    list.sort((a, b) => (a.next < b.next ? -1 : a.next > b.next ? 1 : 0));
    const cumulative = new Uint32Array(list.length);
    let total = 0;
    list.forEach((t, i) => (cumulative[i] = total += t.weight));
    states.set(prefix, { next: list.map((t) => t.next), cumulative });
  }
  return { order, states };
}

/** Trains a chain from a string in one go: for small, bundled corpora (the Worker's fallback, tests). */
export function buildChain(text: string, order: number = DEFAULT_MARKOV_ORDER): MarkovChain {
  const counts: TransitionCounts = new Map();
  countTransitions(counts, text, order);
  return chainFromTransitions(order, transitionsOf(counts));
}

/** 32-bit hash of a string's UTF-16 code units (FNV-1a, then murmur3's avalanche): a stable seed, not a MAC. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Seeded PRNG (mulberry32): the same seed gives the same sequence on every runtime. */
export function createRandom(seed: string | number): Random {
  let state = typeof seed === "number" ? seed >>> 0 : hash32(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number in [min, max], inclusive. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Picks a candidate with probability proportional to its weight. */
export function pickNext(state: ChainState, random: Random): string {
  const total = state.cumulative[state.cumulative.length - 1] ?? 0;
  const target = Math.floor(random() * total);
  let lo = 0;
  let hi = state.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((state.cumulative[mid] ?? 0) > target) hi = mid;
    else lo = mid + 1;
  }
  return state.next[lo] ?? "";
}

/** The tokens of one sentence, walked from a sentence start; empty when the chain has no sentence starts. */
export function generateSentenceTokens(chain: MarkovChain, random: Random, maxTokens: number = MAX_SENTENCE_TOKENS): string[] {
  const window: string[] = Array.from({ length: chain.order }, () => SENTENCE_START);
  const tokens: string[] = [];
  while (tokens.length < maxTokens) {
    const state = chain.states.get(chain.order === 2 ? `${window[0]} ${window[1]}` : window.join(" "));
    if (state === undefined) break; // a dead end (the corpus's last words): close the sentence here
    const token = pickNext(state, random);
    tokens.push(token);
    if (TERMINAL.has(token)) return tokens;
    window.shift();
    window.push(token);
  }
  while (tokens.length > 0 && NO_SPACE_BEFORE.test(tokens[tokens.length - 1] ?? "")) tokens.pop();
  if (tokens.length > 0) tokens.push(".");
  return tokens;
}

/** Joins tokens as prose: no space before punctuation, first letter capitalised. */
export function detokenize(tokens: readonly string[]): string {
  let text = "";
  for (const token of tokens) text += text === "" || NO_SPACE_BEFORE.test(token) ? token : ` ${token}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One sentence of prose. */
export function generateSentence(chain: MarkovChain, random: Random): string {
  return detokenize(generateSentenceTokens(chain, random));
}

/** A paragraph of `sentences` sentences (fewer only if the chain cannot start one). */
export function generateParagraph(chain: MarkovChain, random: Random, sentences: number): string {
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) {
    const sentence = generateSentence(chain, random);
    if (sentence === "") break;
    out.push(sentence);
  }
  return out.join(" ");
}

/** Up to `count` words (no punctuation) from the start of a generated sentence: for titles, headings and slugs. */
export function generateWords(chain: MarkovChain, random: Random, count: number): string[] {
  // Only the first words are wanted: walk a few tokens past them (punctuation may come between), not a whole sentence.
  const words = generateSentenceTokens(chain, random, count * 2 + 2).filter((token) => !NO_SPACE_BEFORE.test(token));
  return words.slice(0, count);
}
