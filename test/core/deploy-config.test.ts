import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const config = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const WORKER_CONFIGS = ["wrangler.toml", "workers/tarpit/wrangler.toml", "workers/escalation/wrangler.toml", "workers/admin/wrangler.toml"];

describe("deploy configs", () => {
  it.each(WORKER_CONFIGS)("%s has no workers.dev route (reachable only through the zone, behind Cloudflare)", (path) => {
    expect(config(path)).toMatch(/^workers_dev = false$/m);
  });

  it("never lets a client set its own address or request.cf in a deploy: DEV_CLIENT_OVERRIDES is off", () => {
    expect(config("wrangler.toml")).toMatch(/^DEV_CLIENT_OVERRIDES = "off"$/m);
  });
});
