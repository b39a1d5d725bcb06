import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * vitest's order (failed first, then longest first when it remembers durations, else largest file first), with the e2e
 * files ahead of every other project's: they are the long ones (tens of seconds to minutes each), so they start while
 * there is still short work (unit and Worker files) left to fill the other lane when they finish. By project name
 * alone, e2e would start after core and dev and share the tail with edge-guard's files at best.
 */
export default class E2eFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isE2e = (spec: TestSpecification) => spec.project.name === "e2e";
    return [...sorted.filter(isE2e), ...sorted.filter((spec) => !isE2e(spec))];
  }
}
