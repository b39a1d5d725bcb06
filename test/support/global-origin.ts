import type { TestProject } from "vitest/node";
import { startOrigin } from "../../dev/origin/server";
import { ROBOTS_HOSTS } from "./robots-hosts";

declare module "vitest" {
  export interface ProvidedContext {
    originUrl: string;
  }
}

/** vitest globalSetup: the real demo origin on a free loopback port, for edge-guard to proxy to (robots.txt per ROBOTS_HOSTS). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const origin = await startOrigin({ port: 0, host: "127.0.0.1", robotsByHost: ROBOTS_HOSTS });
  project.provide("originUrl", origin.url);
  return () => origin.close();
}
