import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fnv1a } from "../../core/fingerprint";
import { fuzzRuns } from "../support/fuzz-runs";

describe("fnv1a", () => {
  it("matches the published FNV-1a 32-bit test vectors", () => {
    expect([fnv1a(""), fnv1a("a"), fnv1a("foobar")]).toEqual([0x811c9dc5, 0xe40c292c, 0xbf9cf968]);
  });

  it("continues from an earlier hash as if the texts were joined (the edge hashes `ip|path` without building it)", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => fnv1a(b, fnv1a(a)) === fnv1a(a + b)),
      { numRuns: fuzzRuns(200) },
    );
  });
});
