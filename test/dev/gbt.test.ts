import { describe, expect, it } from "vitest";
import { predictGbt, roundGbt, thresholdsOf, trainGbt } from "../../scripts/model/gbt";
import { SeededRandom } from "../../scripts/model/seeded-random";

/** Rows where feature 0 pushes *down* the bot rate in the data (as trap hits did in the old seed), feature 1 up. */
function data(n: number, seed: number): { x: number[][]; y: number[] } {
  const random = new SeededRandom(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = [random.next(), random.next(), random.chance(0.5) ? 1 : 0];
    x.push(row);
    y.push(random.chance(0.15 + 0.5 * (row[1] ?? 0) - 0.1 * (row[0] ?? 0) + 0.2 * (row[2] ?? 0)) ? 1 : 0);
  }
  return { x, y };
}

describe("gradient-boosted trees", () => {
  it("learns: scores separate the labels better than chance on held-out rows", () => {
    const train = data(2000, 1);
    const test = data(1000, 2);
    const model = trainGbt(train.x, train.y, { trees: 60, depth: 3 });
    const scores = test.x.map((row) => predictGbt(model, row));
    const mean = (label: number) =>
      scores.filter((_, i) => test.y[i] === label).reduce((s, v) => s + v, 0) / test.y.filter((l) => l === label).length;
    expect(mean(1)).toBeGreaterThan(mean(0) + 0.1);
  });

  it("never lowers the score when a monotone feature rises, even where the data says otherwise", () => {
    const { x, y } = data(2000, 3);
    const free = trainGbt(x, y, { trees: 60, depth: 3 });
    const constrained = roundGbt(trainGbt(x, y, { trees: 60, depth: 3, increasing: [0], featureFraction: 0.7, seed: 5 }));
    const random = new SeededRandom(9);
    let freeDrops = 0;
    for (let k = 0; k < 500; k++) {
      const row = [random.next(), random.next(), random.chance(0.5) ? 1 : 0];
      const up = [Math.min(1, (row[0] ?? 0) + random.next()), row[1] ?? 0, row[2] ?? 0];
      expect(predictGbt(constrained, up)).toBeGreaterThanOrEqual(predictGbt(constrained, row));
      if (predictGbt(free, up) < predictGbt(free, row) - 1e-9) freeDrops++;
    }
    // Without the constraint the trees do follow the data's downward effect: the test above is not vacuous.
    expect(freeDrops).toBeGreaterThan(0);
  });

  it("thins thresholds to float32 midpoints that still separate neighbouring values", () => {
    expect(thresholdsOf([0, 0, 1, 1, 2], 32)).toEqual([0.5, 1.5]);
    const many = thresholdsOf(
      Array.from({ length: 1000 }, (_, i) => i / 7),
      16,
    );
    expect(many.length).toBeLessThanOrEqual(16);
    expect(many.every((t) => Math.fround(t) === t)).toBe(true);
  });
});
