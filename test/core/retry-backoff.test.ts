import { describe, expect, it } from "vitest";
import { FIRST_RETRY_DELAY_S, MAX_RETRY_DELAY_S, retryDelayS } from "../../core/retry-backoff";

describe("retryDelayS", () => {
  it("doubles from the first delay", () => {
    expect([1, 2, 3, 4].map(retryDelayS)).toEqual([
      FIRST_RETRY_DELAY_S,
      2 * FIRST_RETRY_DELAY_S,
      4 * FIRST_RETRY_DELAY_S,
      8 * FIRST_RETRY_DELAY_S,
    ]);
  });
  it("stops at the cap, even for absurd attempt counts", () => {
    expect(retryDelayS(12)).toBe(MAX_RETRY_DELAY_S);
    expect(retryDelayS(1e9)).toBe(MAX_RETRY_DELAY_S);
  });
  it("treats a missing or zero attempt count as the first delivery", () => {
    expect(retryDelayS(0)).toBe(FIRST_RETRY_DELAY_S);
    expect(retryDelayS(Number.NaN)).toBe(FIRST_RETRY_DELAY_S);
  });
  it("covers about 50 minutes of outage over ten retries (escalation's max_retries)", () => {
    const total = Array.from({ length: 10 }, (_, i) => retryDelayS(i + 1)).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(3000);
  });
});
