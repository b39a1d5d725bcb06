import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildChain, generateParagraph, createRandom } from "../../core/markov";
import { CorpusInputError, decodeText } from "../../dev/corpus-files";
import { fuzzRuns } from "../support/fuzz-runs";

const runs = fuzzRuns(200);

describe("fuzz: corpus files", () => {
  it(
    "takes any bytes as text or refuses them with a CorpusInputError naming the file; training on what it takes never throws",
    { timeout: 30_000 + runs * 50 },
    () => {
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 3000 }),
        fc.string({ unit: "binary", maxLength: 2000 }).map((s) => new TextEncoder().encode(s)),
        fc.string({ maxLength: 2000 }).map((s) => new TextEncoder().encode(s)),
      );
      fc.assert(
        fc.property(bytes, (input) => {
          let text: string;
          try {
            text = decodeText("fuzz.txt", input);
          } catch (error) {
            expect(error).toBeInstanceOf(CorpusInputError);
            expect((error as Error).message).toMatch(/^fuzz\.txt: /);
            return;
          }
          expect(text.trim()).not.toBe("");
          const chain = buildChain(text);
          expect(typeof generateParagraph(chain, createRandom(1), 2)).toBe("string");
        }),
        { numRuns: runs },
      );
    },
  );
});
