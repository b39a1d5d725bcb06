import { describe, expect, it } from "vitest";
import { createProgress } from "../../dev/progress";

describe("createProgress", () => {
  it("prints a bar, the rate and an ETA, at most once per interval, and always at the end", () => {
    let now = 0;
    const lines: string[] = [];
    const progress = createProgress(1000, (line) => lines.push(line), {
      label: "counting",
      unit: "chars",
      rateUnit: "tokens",
      intervalMs: 1000,
      now: () => now,
    });
    now = 500;
    progress.update(100, 20);
    expect(lines).toEqual([]); // not yet a second
    now = 2000;
    progress.update(250, 50);
    now = 2500;
    progress.update(300, 60);
    now = 8000;
    progress.finish(1000, 200);
    expect(lines).toEqual([
      "counting [#####...............]  25% 250/1,000 chars · 25 tokens/s · 2.0 s · ETA 6.0 s",
      "counting [####################] 100% 1,000/1,000 chars · 25 tokens/s · 8.0 s",
    ]);
  });

  it("leaves out the bar and ETA when the total is unknown", () => {
    const lines: string[] = [];
    let now = 0;
    const progress = createProgress(0, (line) => lines.push(line), { label: "loading", unit: "rows", now: () => now });
    now = 2000;
    progress.finish(40);
    expect(lines).toEqual(["loading 40 rows · 20 rows/s · 2.0 s"]);
  });
});
