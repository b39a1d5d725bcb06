import { env as rawEnv, exports } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import Tarpit from "../../../workers/tarpit/index";
import type { TarpitEnv } from "../../../workers/tarpit/env";

const env = rawEnv as unknown as TarpitEnv;
const tarpit = (exports as unknown as { default: Fetcher<Tarpit> }).default;
const MARKER = "zanzibarquux"; // only the test corpus (test/fixtures/markov/tiny.txt, trained by global-postgres.ts) has it

const get = (path: string): Promise<Response> => tarpit.fetch(new Request(`http://example.com${path}`));

describe("tarpit", () => {
  it("answers the same bytes for the same path, even to concurrent first requests", async () => {
    const responses = await Promise.all([
      get("/archive/0badf00d/harbour"),
      get("/archive/0badf00d/harbour"),
      get("/archive/0badf00d/harbour"),
    ]);
    const [first, ...rest] = responses;
    if (first === undefined) throw new Error("no response");
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(first.headers.get("x-robots-tag")).toBe("noindex, nofollow");
    const html = await first.text();
    expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
    for (const response of rest) expect(await response.text()).toBe(html);
  });

  it("answers different pages for different paths, with links deeper into the maze", async () => {
    const a = await (await get("/archive/0badf00d/harbour")).text();
    const b = await (await get("/blog/some-post")).text();
    expect(b).not.toBe(a);
    const maze = [...b.matchAll(/href="(\/archive\/[0-9a-f]{8}\/[a-z0-9-]+)"/g)];
    expect(maze.length).toBeGreaterThanOrEqual(5);
  });

  it("writes from the chain trained in Postgres, read once per isolate", async () => {
    const html = await (await get("/archive/12345678/market")).text();
    expect(html).toContain(MARKER);
    const before = await new Tarpit(createExecutionContext(), env).stats();
    expect(before.source).toBe("postgres");
    for (let i = 0; i < 20; i++) await (await get(`/archive/${i}/steady`)).text();
    const after = await new Tarpit(createExecutionContext(), env).stats();
    expect(after.loads).toBe(before.loads); // steady state: no queries per page
  });

  it("still answers 200 from the bundled chain when Postgres is unreachable, and counts the fault", async () => {
    const badEnv: TarpitEnv = {
      ...env,
      DATABASE_URL: "postgresql://postgres:postgres@127.0.0.1:9/postgres",
      NEON_LOCAL_PROXY: "127.0.0.1:9",
    };
    const worker = new Tarpit(createExecutionContext(), badEnv);
    const before = await worker.stats();
    const response = await worker.fetch(new Request("http://example.com/archive/0badf00d/harbour"));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).not.toContain(MARKER);
    expect(html).toMatch(/<p[^>]*>[A-Z][^<]{40,}/);
    const after = await worker.stats();
    expect(after.faults).toBe(before.faults + 1);
    expect(after.source).toBe("fallback");
    // Within the retry window the isolate does not hammer the dead database.
    await (await worker.fetch(new Request("http://example.com/archive/other"))).text();
    expect((await worker.stats()).loads).toBe(after.loads);
  });

  it("writes a site's labyrinth from the corpus edge-guard names for it, and ignores a malformed name", async () => {
    const worker = new Tarpit(createExecutionContext(), env);
    const named = await worker.fetch(
      new Request("http://example.com/archive/y", { headers: { "x-edge-guard-corpus": "site-never-trained" } }),
    );
    expect(await named.text()).not.toContain(MARKER);
    expect((await worker.stats()).lastFault).toContain("site-never-trained");
    const malformed = await worker.fetch(
      new Request("http://example.com/archive/y", { headers: { "x-edge-guard-corpus": "../Bad Name" } }),
    );
    expect(await malformed.text()).toContain(MARKER); // the deployment's corpus, trained in Postgres
  });

  it("falls back when the corpus has no trained model", async () => {
    const worker = new Tarpit(createExecutionContext(), { ...env, MARKOV_CORPUS: "never-trained" });
    const response = await worker.fetch(new Request("http://example.com/archive/x"));
    expect(response.status).toBe(200);
    expect(await response.text()).not.toContain(MARKER);
    expect((await worker.stats()).lastFault).toContain("never-trained");
  });
});
