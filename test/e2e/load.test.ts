import { afterAll, beforeAll, expect, it } from "vitest";
import type { Stack } from "../../dev/stack";
import { FAST_TARPIT, startTestStack } from "../support/test-stack";
import { runLoad } from "../../bench/load-harness";

/**
 * The load and soak run's CI setting (LOAD_TEST_SECONDS, default 30 s; `npm run bench:load` runs minutes and writes
 * figures): people, feeds, crawlers and attackers at once against the whole stack. Asserts what must hold whatever
 * the machine's speed: no 5xx from our code, people served, and no isolate map past its cap. Latency and memory are
 * reported, not asserted (no wall-clock assertions in tests).
 */
const SECONDS = Number(process.env.LOAD_TEST_SECONDS ?? 30);
let stack: Stack;

beforeAll(async () => {
  stack = await startTestStack({ vars: FAST_TARPIT });
});

afterAll(async () => {
  await stack?.stop();
});

it("holds a mixed load: no 5xx, people get pages, every isolate map within its cap", { timeout: (SECONDS + 120) * 1000 }, async () => {
  const result = await runLoad(stack, { seconds: SECONDS });
  console.log(
    JSON.stringify({
      rps: result.rps,
      errors5xx: result.errors5xx,
      rssMiB: result.rssMiB,
      maps: result.maps,
      p99Ms: Object.fromEntries(Object.entries(result.classes).map(([k, c]) => [k, c.p99Ms])),
    }),
  );
  expect(Object.fromEntries(Object.entries(result.classes).map(([k, c]) => [k, c.errors5xx]))).toEqual({
    person: 0,
    feed: 0,
    crawler: 0,
    attacker: 0,
  });
  expect(result.classes.person.failed).toBe(0);
  expect(result.classes.person.statuses["200"] ?? 0).toBe(result.classes.person.requests);
  expect(result.classes.feed.statuses["200"] ?? 0).toBe(result.classes.feed.requests);
  expect(Object.keys(result.maps).length).toBeGreaterThan(0);
  for (const [map, { peak, cap }] of Object.entries(result.maps)) expect(peak, `isolate map ${map}`).toBeLessThanOrEqual(cap);
  expect(result.attackerAddresses).toBeGreaterThan(100);
});
