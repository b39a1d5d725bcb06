import { readFileSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { startLocalPostgres } from "../../dev/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    neonLocalProxy: string;
  }
}

/** The tiny corpus trained as `default` in the test database; every sentence has the marker word. */
export const TEST_CORPUS_FILE = new URL("../fixtures/markov/tiny.txt", import.meta.url);
/** A word that only the test corpus contains: seeing it in a page proves the text came from Postgres. */
export const TEST_CORPUS_MARKER = "zanzibarquux";

/** vitest globalSetup: an in-memory embedded Postgres (migrated, test corpus trained) for the Workers under test. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgres = await startLocalPostgres({ port: 0, defaultCorpus: readFileSync(TEST_CORPUS_FILE, "utf8") });
  project.provide("databaseUrl", postgres.databaseUrl);
  project.provide("neonLocalProxy", postgres.neonLocalProxy);
  return () => postgres.stop();
}
