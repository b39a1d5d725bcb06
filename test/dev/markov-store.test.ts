import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PGlite } from "@electric-sql/pglite";
import { activeModelId, countCorpus, storeMarkovModel, type SqlSession } from "../../dev/markov-store";
import { openLocalDatabase } from "../../dev/postgres";

const HARBOUR = "The harbour lies on the coast. Traders bring salt to the harbour. The harbour is old.";
const VALLEY = "Farmers in the valley grow rice. The valley floods in spring. Rain falls on the valley.";
const MOUNTAIN = "The mountain road is steep. Snow closes the mountain pass. Goats climb the mountain.";

let pg: PGlite;
beforeAll(async () => {
  pg = await openLocalDatabase(undefined);
}, 60_000);
afterAll(async () => {
  await pg.close();
});

async function rows(modelId: number | null): Promise<number> {
  const result = await pg.query<{ n: number }>("SELECT count(*)::int AS n FROM markov_transitions WHERE model_id = $1", [modelId]);
  return result.rows[0]?.n ?? -1;
}

describe("storeMarkovModel", () => {
  it("keeps several named corpora side by side; retraining one replaces only it", async () => {
    const a1 = await storeMarkovModel(pg, "coast", countCorpus([HARBOUR]));
    const b1 = await storeMarkovModel(pg, "inland", countCorpus([VALLEY]));
    const bRows = await rows(b1.modelId);
    const a2 = await storeMarkovModel(pg, "coast", countCorpus([MOUNTAIN]));
    expect(a2.previousModelId).toBe(a1.modelId);
    expect(await activeModelId(pg, "coast")).toBe(a2.modelId);
    expect(await activeModelId(pg, "inland")).toBe(b1.modelId);
    expect(await rows(b1.modelId)).toBe(bRows);
    expect(await rows(a1.modelId)).toBe(0); // the replaced model is gone
  });

  it("leaves the active model and no stray rows when the load fails halfway", async () => {
    const before = await activeModelId(pg, "coast");
    const beforeRows = await rows(before);
    let inserts = 0;
    const failing: SqlSession = {
      query: async <R>(text: string, params?: unknown[]) => {
        if (text.startsWith("INSERT INTO markov_transitions") && ++inserts === 2) throw new Error("connection lost mid-load");
        return pg.query<R>(text, params);
      },
    };
    const big = countCorpus([`${HARBOUR} ${VALLEY} ${MOUNTAIN}`]);
    await expect(storeMarkovModel(failing, "coast", big, { batchRows: 5 })).rejects.toThrow("connection lost mid-load");
    expect(await activeModelId(pg, "coast")).toBe(before);
    expect(await rows(before)).toBe(beforeRows);
    const orphans = await pg.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM markov_models WHERE id NOT IN (SELECT model_id FROM markov_active)",
    );
    expect(orphans.rows[0]?.n).toBe(0);
  });

  it("refuses an empty corpus instead of replacing a model with nothing", async () => {
    await expect(storeMarkovModel(pg, "coast", countCorpus([""]))).rejects.toThrow(/no transitions/);
  });
});
