import { describe, expect, it } from "vitest";
import {
  SENTENCE_START,
  buildChain,
  chainFromTransitions,
  countTransitions,
  createRandom,
  detokenize,
  generateParagraph,
  generateSentence,
  hash32,
  pickNext,
  tokenize,
  transitionsOf,
  type TransitionCounts,
} from "../../core/markov";

const TEXT = "The cat sat on the mat. The cat ate the fish! Did the dog see the cat?\n\nA heading without a stop\n\nThe dog ran.";

describe("tokenize", () => {
  it("splits words and punctuation and keeps numbers, abbreviations and contractions whole", () => {
    expect(tokenize('In the 16th century GDP grew 3.5% in 2019, the U.S. said; it\'s "strong" (est.)')).toEqual([
      "In",
      "the",
      "16th",
      "century",
      "GDP",
      "grew",
      "3.5%",
      "in",
      "2019",
      ",",
      "the",
      "U.S.",
      "said",
      ";",
      "it's",
      "strong",
      "est",
      ".",
    ]);
  });
});

describe("countTransitions", () => {
  it("builds order-2 transitions per sentence, starting from the start marker", () => {
    const counts: TransitionCounts = new Map();
    const tokens = countTransitions(counts, TEXT, 2);
    expect(tokens).toBe(29); // 7 + 6 + 7 + 5 + 4
    expect(counts.get(`${SENTENCE_START} ${SENTENCE_START}`)).toEqual(
      new Map([
        ["The", 3],
        ["Did", 1],
        ["A", 1],
      ]),
    );
    expect(counts.get("The cat")).toEqual(
      new Map([
        ["sat", 1],
        ["ate", 1],
      ]),
    );
    expect(counts.get("the cat")).toEqual(new Map([["?", 1]]));
    expect(counts.has("mat .")).toBe(false); // sentences do not run into each other
  });

  it("rejects a nonsense order", () => {
    expect(() => countTransitions(new Map(), TEXT, 0)).toThrow(RangeError);
  });
});

describe("chainFromTransitions", () => {
  it("does not depend on the order of the rows", () => {
    const counts: TransitionCounts = new Map();
    countTransitions(counts, TEXT, 2);
    const rows = [...transitionsOf(counts)];
    const a = chainFromTransitions(2, rows);
    const b = chainFromTransitions(2, [...rows].reverse());
    const sample = (chain: typeof a) => generateParagraph(chain, createRandom("seed"), 8);
    expect(sample(b)).toBe(sample(a));
  });

  it("picks candidates in proportion to their weight", () => {
    const chain = chainFromTransitions(1, [
      { prefix: "x", next: "a", weight: 1 },
      { prefix: "x", next: "b", weight: 3 },
    ]);
    const state = chain.states.get("x");
    if (state === undefined) throw new Error("missing state");
    const random = createRandom(7);
    const picks = Array.from({ length: 4000 }, () => pickNext(state, random));
    const share = picks.filter((p) => p === "b").length / picks.length;
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.8);
  });
});

describe("generation", () => {
  const chain = buildChain(TEXT);

  it("is deterministic for a seed and varies between seeds", () => {
    expect(generateParagraph(chain, createRandom("a"), 5)).toBe(generateParagraph(chain, createRandom("a"), 5));
    const texts = new Set(["a", "b", "c", "d", "e", "f"].map((s) => generateParagraph(chain, createRandom(s), 5)));
    expect(texts.size).toBeGreaterThan(1);
  });

  it("writes capitalised sentences that end with punctuation and only use corpus words", () => {
    const random = createRandom(1);
    const vocabulary = new Set(tokenize(TEXT).map((t) => t.toLowerCase()));
    for (let i = 0; i < 50; i++) {
      const sentence = generateSentence(chain, random);
      expect(sentence).toMatch(/^[A-Z].*[.!?]$/);
      for (const token of tokenize(sentence)) expect(vocabulary).toContain(token.toLowerCase());
    }
  });

  it("closes a sentence that reaches a dead end", () => {
    const deadEnd = buildChain("Alpha beta gamma");
    expect(generateSentence(deadEnd, createRandom(1))).toBe("Alpha beta gamma.");
  });

  it("returns nothing from an empty chain", () => {
    expect(generateParagraph(buildChain(""), createRandom(1), 3)).toBe("");
  });
});

describe("helpers", () => {
  it("detokenizes without spaces before punctuation", () => {
    expect(detokenize(["the", "cat", ",", "the", "hat", "."])).toBe("The cat, the hat.");
  });

  it("hashes stably, and near inputs far apart", () => {
    expect(hash32("archive")).toBe(hash32("archive"));
    const a = hash32("page-1");
    const b = hash32("page-2");
    const differingBits = (a ^ b).toString(2).replaceAll("0", "").length;
    expect(differingBits).toBeGreaterThan(8);
  });

  it("draws numbers in [0, 1)", () => {
    const random = createRandom("x");
    for (let i = 0; i < 1000; i++) {
      const r = random();
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThan(1);
    }
  });
});
