import type { TestProject } from "vitest/node";
import { startOrigin } from "../../dev/origin/server";

declare module "vitest" {
  export interface ProvidedContext {
    originUrl: string;
  }
}

/** vitest globalSetup: the real demo origin on a free loopback port, for edge-guard to proxy to. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const origin = await startOrigin({ port: 0, host: "127.0.0.1" });
  project.provide("originUrl", origin.url);
  return () => origin.close();
}
