import { startStack, type Stack, type StackOptions } from "../../dev/stack";

/**
 * A dev stack for one end-to-end test file: any free ports, in-memory state, the Workers test/support/global-build.ts
 * built once for every file (`prebuilt`). `options` adds what the file needs (vars, an origin hook…).
 */
export function startTestStack(options: Partial<StackOptions> = {}): Promise<Stack> {
  return startStack({ edgePort: 0, adminPort: 0, originPort: 0, prebuilt: true, ...options });
}

/** The labyrinth without its slow streaming: for tests that count pages, not how long a scraper is held. */
export const FAST_TARPIT = { "edge-guard-tarpit": { STREAM_DELAY_MS: "5" } } as const;
