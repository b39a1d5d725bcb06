import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../dev/build";
import type { Stack } from "../../dev/stack";
import { startTestStack } from "../support/test-stack";
import type { TarpitMetricsView } from "../../core/tarpit-metrics";

const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
/** A word only the tiny test corpus has: a page showing it was written from the chain trained in Postgres. */
const MARKER = "zanzibarquux";
const HOP_LIMIT = 5;
const TARPIT_VARS = {
  MARKOV_CORPUS: "e2e-tarpit",
  HOP_LIMIT: String(HOP_LIMIT),
  STREAM_DELAY_MS: "60",
  STREAM_CHUNK_BYTES: "2048",
  STREAM_MAX_SECONDS: "3",
};

let stack: Stack;
let scratch: string;

function train(args: string[]): Promise<{ code: number; output: string }> {
  const env = { ...process.env, DATABASE_URL: stack.databaseUrl, NEON_LOCAL_PROXY: stack.neonLocalProxy };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/model/train-markov.ts", ...args],
      { cwd: ROOT, env },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : 1, output: stdout + stderr }),
    );
  });
}

/** A visitor who walks straight into the trap paths: edge-guard hands it to the tarpit. */
function get(edgeUrl: string, path: string, ip: string): Promise<Response> {
  return fetch(`${edgeUrl}${path}`, { headers: { "user-agent": CHROME_UA, "cf-connecting-ip": ip, accept: "text/html" } });
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "edge-guard-tarpit-e2e-"));
  // Escalation's own blocking is turned down, so the only block in play is the tarpit's hop limit.
  stack = await startTestStack({ vars: { "edge-guard-tarpit": TARPIT_VARS, "edge-guard-escalation": { BLOCK_SCORE: "1" } } });
  const trained = await train(["test/fixtures/markov/tiny.txt", "--corpus", "e2e-tarpit"]);
  expect(trained.code, trained.output).toBe(0);
});

afterAll(async () => {
  await stack?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("the tarpit, end to end", () => {
  it("writes the same page for the same path, other pages for other paths, from the trained chain", async () => {
    const texts = await Promise.all(
      ["/archive/0badf00d/harbour", "/archive/0badf00d/harbour", "/archive/0badf00d/market"].map(async (p, i) =>
        (await get(stack.edgeUrl, p, `81.2.69.${10 + i}`)).text(),
      ),
    );
    expect(texts[0]).toContain(MARKER);
    expect(texts[1]).toBe(texts[0]);
    expect(texts[2]).not.toBe(texts[0]);
  });

  it("streams a page through edge-guard in several chunks over time", async () => {
    const started = performance.now();
    const response = await get(stack.edgeUrl, "/archive/0badf00d/slow", "81.2.69.20");
    expect(response.status).toBe(200);
    const reader = response.body?.getReader();
    const times: number[] = [];
    let bytes = 0;
    for (;;) {
      const chunk = await reader?.read();
      if (chunk === undefined || chunk.done) break;
      times.push(performance.now() - started);
      bytes += chunk.value.length;
    }
    expect(bytes).toBeGreaterThan(4096);
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(2 * 60);
  });

  it(`answers 403 at the edge once a client has made more than ${HOP_LIMIT} tarpit hops`, async () => {
    const ip = "81.2.69.142";
    const kv = await stack.miniflare.getKVNamespace("BLOCKLIST", "edge-guard-tarpit");
    const hop = async (i: number): Promise<string> => {
      const response = await get(stack.edgeUrl, `/archive/${i.toString(16).padStart(8, "0")}/hop`, ip);
      return `${response.status}: ${(await response.text()).slice(0, 120)}`;
    };
    // Up to the limit and one past it: pages, then the tarpit writes the block (before the answer is read in full).
    const trapped: string[] = [];
    for (let i = 0; i <= HOP_LIMIT; i++) trapped.push(await hop(i));
    expect(
      trapped.map((t) => t.slice(0, 3)),
      trapped.join("\n"),
    ).toEqual(Array.from({ length: HOP_LIMIT + 1 }, () => "200"));
    for (let i = 0; i < 50 && (await kv.get(`ip:${ip}`)) === null; i++) await new Promise((r) => setTimeout(r, 100)); // hopOut runs in waitUntil
    const entry = JSON.parse((await kv.get(`ip:${ip}`)) ?? "null") as { source: string; action: string; reason: string } | null;
    expect(entry).toMatchObject({ source: "tarpit", action: "block", reason: expect.stringMatching(/^tarpit-hop-limit/) });
    // edge-guard remembers this client's blocklist miss for 10 s (BLOCKLIST_CACHE_MS): one request a second gets the
    // 403 by the 12th at the latest (the pauses alone last 11 s, however slow the machine), never a page after it.
    const after: string[] = [];
    for (let i = HOP_LIMIT + 1; i <= HOP_LIMIT + 12; i++) {
      const answer = await hop(i);
      after.push(answer);
      if (answer.startsWith("403")) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(after.at(-1)?.slice(0, 3), after.join("\n")).toBe("403");
    const other = await get(stack.edgeUrl, "/archive/0badf00d/other", "81.2.72.44"); // the block is this client's alone
    expect(other.status).toBe(200);
    await other.arrayBuffer();
  });

  it("counts pages, bytes, held seconds, hops and blocks where admin can read them", async () => {
    // Its own traffic, measured as a difference: it does not lean on the tests before it.
    const tarpit = (await stack.miniflare.getWorker("edge-guard-tarpit")) as unknown as {
      metrics(minutes: number): Promise<TarpitMetricsView>;
    };
    const before = (await tarpit.metrics(10)).totals;
    const ip = "81.2.74.5"; // a /24 of its own: a prefix block from another test must not reach it
    for (let i = 0; i <= HOP_LIMIT; i++) await (await get(stack.edgeUrl, `/archive/${i.toString(16).padStart(8, "0")}/counted`, ip)).text();
    let after = (await tarpit.metrics(10)).totals;
    // The last stream's outcome and the block are counted off the response path (waitUntil): wait for them.
    const settled = () =>
      after.blocks > before.blocks && after.pages - before.pages >= HOP_LIMIT + 1 && after.bytes - before.bytes > 10_000;
    for (let i = 0; i < 50 && !settled(); i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = (await tarpit.metrics(10)).totals;
    }
    expect(after.pages - before.pages).toBe(HOP_LIMIT + 1);
    expect(after.hops - before.hops).toBe(HOP_LIMIT + 1);
    expect(after.blocks - before.blocks).toBe(1);
    expect(after.bytes - before.bytes).toBeGreaterThan(10_000);
    expect(after.heldMs - before.heldMs).toBeGreaterThan(0);
  });

  it("shows exactly the bytes and held seconds of N streams in admin's overview and /metrics, with no later request", async () => {
    const STREAMS = 4;
    const tarpit = (await stack.miniflare.getWorker("edge-guard-tarpit")) as unknown as {
      metrics(minutes: number): Promise<TarpitMetricsView>;
    };
    const totals = async () => (await tarpit.metrics(60)).totals;
    const overview = async () => {
      const response = await fetch(`${stack.adminUrl}/api/overview?hours=1`, {
        headers: { authorization: `Bearer ${stack.secrets.ADMIN_DEV_TOKEN}` },
      });
      return ((await response.json()) as { tarpit: { heldSeconds: number; bytes: number } }).tarpit;
    };
    const prometheus = async () => {
      const text = await (
        await fetch(`${stack.adminUrl}/metrics`, { headers: { authorization: `Bearer ${stack.secrets.METRICS_TOKEN}` } })
      ).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
      return { heldSeconds: value("edge_guard_tarpit_held_seconds_last_day"), bytes: value("edge_guard_tarpit_bytes_last_day") };
    };
    // Earlier tests' streams have ended and flushed: wait until the totals stand still.
    let before = await totals();
    for (let again = await totals(); JSON.stringify(again) !== JSON.stringify(before); again = await totals()) {
      before = again;
      await new Promise((r) => setTimeout(r, 300));
    }
    const [overviewBefore, promBefore] = await Promise.all([overview(), prometheus()]);

    const bodies = await Promise.all(
      Array.from(
        { length: STREAMS },
        async (_, i) =>
          new Uint8Array(await (await get(stack.edgeUrl, `/archive/0badf00d/counted-${i}`, `81.2.71.${i + 1}`)).arrayBuffer()),
      ),
    );
    const bytes = bodies.reduce((n, b) => n + b.length, 0);
    // Each stream's counts leave in its own invocation's waitUntil as it ends: no further request is sent to carry them.
    let after = await totals();
    for (
      const deadline = Date.now() + 10_000;
      after.slowStreams < before.slowStreams + STREAMS && Date.now() < deadline;
      after = await totals()
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(after.slowStreams - before.slowStreams).toBe(STREAMS);
    expect(after.pages - before.pages).toBe(STREAMS);
    expect(after.bytes - before.bytes).toBe(bytes);
    expect(after.heldMs - before.heldMs).toBeGreaterThan(0);
    const heldSeconds = (after.heldMs - before.heldMs) / 1000;
    const [overviewAfter, promAfter] = await Promise.all([overview(), prometheus()]);
    expect(overviewAfter.bytes - overviewBefore.bytes).toBe(bytes);
    expect(overviewAfter.heldSeconds - overviewBefore.heldSeconds).toBeCloseTo(heldSeconds, 6);
    expect(promAfter.bytes - promBefore.bytes).toBe(bytes);
    expect(promAfter.heldSeconds - promBefore.heldSeconds).toBeCloseTo(heldSeconds, 6);
  });

  it("rejects a bad corpus file and keeps serving the current model", async () => {
    const bad = join(scratch, "bad.bin");
    writeFileSync(bad, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]));
    const result = await train([bad, "--corpus", "e2e-tarpit"]);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/looks binary.*active model is unchanged/s);
    expect(await (await get(stack.edgeUrl, "/archive/0badf00d/after-bad-file", "81.2.69.30")).text()).toContain(MARKER);
  });
});

describe("the tarpit with Postgres down", () => {
  let down: Stack;
  beforeAll(async () => {
    // Same build; the tarpit is pointed at a port nothing listens on, as if Postgres had stopped.
    const dead = { DATABASE_URL: "postgresql://postgres:postgres@127.0.0.1:9/postgres", NEON_LOCAL_PROXY: "127.0.0.1:9" };
    down = await startTestStack({ vars: { "edge-guard-tarpit": { ...TARPIT_VARS, ...dead } } });
  });
  afterAll(async () => {
    await down?.stop();
  });

  it("still answers with a page from the bundled chain, and counts the fault", async () => {
    const response = await get(down.edgeUrl, "/archive/0badf00d/harbour", "81.2.69.40");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).not.toContain(MARKER);
    expect(html).toMatch(/<p[^>]*>[A-Z][^<]{40,}/);
    const tarpit = (await down.miniflare.getWorker("edge-guard-tarpit")) as unknown as {
      stats(): Promise<{ source: string; faults: number }>;
    };
    const stats = await tarpit.stats();
    expect(stats.source).toBe("fallback");
    expect(stats.faults).toBeGreaterThanOrEqual(1);
  });
});
