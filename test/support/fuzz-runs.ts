import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    fuzzRuns: number;
  }
}

/** fast-check runs per property: FUZZ_RUNS when set (`npm run test:fuzz:long`), else the suite's CI default. */
export function fuzzRuns(ciDefault: number): number {
  const runs = inject("fuzzRuns");
  return runs > 0 ? runs : ciDefault;
}
