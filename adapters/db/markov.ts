import { eq } from "drizzle-orm";
import type { Transition } from "../../core/markov";
import type { Db } from "./client";
import { markovActive, markovModels, markovTransitions } from "./schema";

/** The active model of a corpus as stored: its order and every transition row. */
export interface StoredChain {
  readonly modelId: number;
  readonly order: number;
  readonly transitions: Transition[];
}

/**
 * Reads the model a corpus serves, or null when it has none. Both reads share one read-only snapshot, so a
 * retraining that switches and deletes the model meanwhile cannot hand back a half-deleted chain.
 */
export async function readActiveChain(db: Db, corpus: string): Promise<StoredChain | null> {
  return db.transaction(
    async (tx) => {
      const [model] = await tx
        .select({ id: markovModels.id, order: markovModels.order })
        .from(markovActive)
        .innerJoin(markovModels, eq(markovModels.id, markovActive.modelId))
        .where(eq(markovActive.corpus, corpus));
      if (model === undefined) return null;
      const transitions = await tx
        .select({ prefix: markovTransitions.prefix, next: markovTransitions.next, weight: markovTransitions.weight })
        .from(markovTransitions)
        .where(eq(markovTransitions.modelId, model.id));
      return { modelId: model.id, order: model.order, transitions };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}
