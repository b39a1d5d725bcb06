import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IN_BAND, priceFor } from "../../core/pay-per-crawl";
import { compilePolicy } from "../../core/policy/compile";
import { ROOT } from "../../dev/build";
import { SAMPLE_CRAWLER_NAME, demoPayPolicy, sampleCrawlerOrigin } from "../../dev/pay-demo";
import { loadOrCreateKey } from "../../scripts/ops/crawler-key";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edge-guard-crawler-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("npm run dev's demo price", () => {
  it("compiles, trusts the sample crawler's loopback directory, prices /articles/* and leaves /premium/* to the origin", () => {
    const compiled = compilePolicy(demoPayPolicy(sampleCrawlerOrigin(9999)));
    if (!compiled.ok) throw new Error(compiled.error);
    const policy = compiled.value;
    expect(policy.webBotAuth.byOrigin.get("http://127.0.0.1:9999")).toBe(SAMPLE_CRAWLER_NAME);
    const pricing = policy.payPerCrawl;
    if (pricing === null) throw new Error("no payPerCrawl section");
    expect(priceFor(pricing, "/articles/france", SAMPLE_CRAWLER_NAME)).toBe(10_000);
    expect(priceFor(pricing, "/premium/france", SAMPLE_CRAWLER_NAME)).toBe(IN_BAND);
    expect(priceFor(pricing, "/", SAMPLE_CRAWLER_NAME)).toBeNull();
    expect(priceFor(pricing, "/robots.txt", SAMPLE_CRAWLER_NAME)).toBeNull();
  });
});

describe("the sample crawler's key", () => {
  it("is generated once (private, mode 0600) and loaded the same afterwards", async () => {
    const file = join(dir, "nested", "key.json");
    const first = await loadOrCreateKey(file);
    const again = await loadOrCreateKey(file);
    expect([first.created, again.created]).toEqual([true, false]);
    expect(again.key.thumbprint).toBe(first.key.thumbprint);
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ kty: "OKP", crv: "Ed25519", x: first.key.publicJwk.x });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it("never overwrites a file that is not an Ed25519 private key", async () => {
    const file = join(dir, "not-a-key.json");
    await writeFile(file, '{"kty":"RSA"}');
    await expect(loadOrCreateKey(file)).rejects.toThrow(/not an Ed25519 private JWK/);
    expect(await readFile(file, "utf8")).toBe('{"kty":"RSA"}');
  });
});

/** Runs the crawler CLI; resolves with its exit code and stderr. */
const crawler = (args: readonly string[]): Promise<{ code: number; stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/ops/paid-crawler.ts", ...args],
      { cwd: ROOT },
      (error, _out, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stderr }),
    );
  });

describe("npm run crawler:paid refuses bad input with an actionable message", () => {
  it.each([
    [["http://127.0.0.1:1/x", "--max-price", "EUR 1"], 2, /--max-price "EUR 1" is not a price such as "USD 0.05"/],
    [["http://127.0.0.1:1/x", "--max-price", "USD 0"], 2, /is not a price/],
    [["ftp://example.com/"], 2, /not an http\(s\) URL/],
    [[], 2, /give exactly one URL/],
    [["http://127.0.0.1:1/x", "--duplicates", "0"], 2, /--duplicates is a whole number from 1 to 100/],
    [["http://127.0.0.1:1/x", "--header", "no colon"], 2, /is not "Name: value"/],
  ])("%j → exit %i", async (args, code, message) => {
    const run = await crawler(args);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });

  it("says so when the site cannot be reached (exit 3), and with a bad key file", async () => {
    const key = join(dir, "unreachable.json");
    const unreachable = await crawler(["http://127.0.0.1:1/articles/x", "--key", key, "--directory-port", "0"]);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/^crawler: /m);
    const bad = join(dir, "bad.json");
    await writeFile(bad, "not json");
    const badKey = await crawler(["http://127.0.0.1:1/articles/x", "--key", bad, "--directory-port", "0"]);
    expect(badKey.code).toBe(3);
    expect(badKey.stderr).toContain("is not an Ed25519 private JWK");
  });
});
