import { count, like } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withDb } from "../../../adapters/db/client";
import { decisions } from "../../../adapters/db/schema";
import type { DeadLetter } from "../../../workers/escalation/env";
import { fuzzRuns } from "../../support/fuzz-runs";
import { deliver, env } from "./deliver";
import { aReport } from "./reports";

const runs = fuzzRuns(30);
const FIELDS = [
  "v",
  "id",
  "at",
  "source",
  "ip",
  "method",
  "path",
  "userAgent",
  "headers",
  "cf",
  "action",
  "score",
  "reasons",
  "counts",
  "label",
] as const;

describe("fuzz: queue messages", () => {
  it(
    "acks every message; a malformed one goes to the DLQ and writes no decision; nothing is retried",
    { timeout: 30_000 + runs * 300 },
    async () => {
      const dead: DeadLetter[] = [];
      const dlq = { send: async (m: DeadLetter) => void dead.push(m), sendBatch: async () => {} } as unknown as Queue<DeadLetter>;
      // A valid report with a few fields replaced by anything, or anything at all.
      const mutated = fc
        .record({
          fields: fc.subarray([...FIELDS], { minLength: 0, maxLength: 3 }),
          values: fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 3, maxLength: 3 }),
          n: fc.nat(1_000_000),
        })
        .map(({ fields, values, n }) => ({ ...aReport({ id: `fuzz-${n}` }), ...Object.fromEntries(fields.map((f, i) => [f, values[i]])) }));
      const bodies = fc.array(fc.oneof({ arbitrary: mutated, weight: 3 }, { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 }), {
        minLength: 1,
        maxLength: 4,
      });
      const fuzzRows = async () =>
        (await withDb(env, (d) => d.select({ n: count() }).from(decisions).where(like(decisions.reportId, "fuzz-%"))))[0]?.n ?? 0;
      let valid = 0;
      await fc.assert(
        fc.asyncProperty(bodies, async (batch) => {
          const deadBefore = dead.length;
          const rowsBefore = await fuzzRows();
          const result = await deliver(batch, { ...env, DLQ: dlq });
          expect(result.retryMessages).toEqual([]);
          expect(result.explicitAcks).toHaveLength(batch.length);
          const refused = dead.length - deadBefore;
          valid += batch.length - refused;
          // Only reports that passed the schema may leave a decision row.
          expect((await fuzzRows()) - rowsBefore).toBeLessThanOrEqual(batch.length - refused);
        }),
        { numRuns: runs },
      );
      console.log(`fuzz queue: ${runs} batches, ${dead.length} messages dead-lettered, ${valid} valid`);
    },
  );
});
