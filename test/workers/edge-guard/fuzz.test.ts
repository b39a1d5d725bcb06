import { env as rawEnv, exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import browserCanaries from "../../../core/data/browser-canaries.json";
import bundledRanges from "../../../core/data/crawler-ranges.json";
import { AI_AGENTS_KV_KEY, AI_ROBOTS_JSON_URL, AiAgentsSchema, CRAWLER_RANGES_KV_KEY, aiAgentsRegExp } from "../../../core/data-refresh";
import { CrawlerRangesSchema } from "../../../core/verified-crawlers";
import { refreshData } from "../../../workers/edge-guard/data-refresh";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { fuzzRuns } from "../../support/fuzz-runs";
import { isolateState } from "../../../workers/edge-guard/app";

const env = rawEnv as unknown as EdgeGuardEnv;

const runs = fuzzRuns(50);
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/** Printable header values (no CR/LF/NUL: a Request cannot carry them). */
const wireValue = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength }).map((s) => s.trim());
/**
 * Non-ASCII values. workerd sends them UTF-8 encoded (and logs a warning for each), so bytes that are invalid UTF-8
 * cannot be put on the wire from inside workerd; this is as close as an in-process test gets. Rare, to keep logs short.
 */
const nonAscii = fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 12 });
const huge = fc.integer({ min: 8_000, max: 32_000 }).map((n) => "A".repeat(n));
const odd = (...samples: string[]) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...samples), weight: 4 },
    { arbitrary: wireValue(200), weight: 4 },
    { arbitrary: huge, weight: 1 },
    { arbitrary: nonAscii, weight: 1 },
  );

/** One request's headers: each may be absent, odd, huge, invalid UTF-8 or repeated. */
const headerSets = fc.record(
  {
    "user-agent": odd(
      CHROME_UA,
      "GPTBot/1.2",
      "curl/8.5.0",
      "",
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    ),
    accept: odd("text/html", "*/*", "application/rss+xml"),
    "accept-language": odd("en-US,en;q=0.9", "*", ";;;"),
    "sec-fetch-site": odd("none", "same-origin", "cross-site", "bogus"),
    "sec-fetch-mode": odd("navigate", "no-cors", "websocket", ""),
    "sec-fetch-dest": odd("document", "image", "iframe", "x"),
    "sec-fetch-user": odd("?1", "?0", "yes"),
    "sec-ch-ua": odd('"Chromium";v="131", "Not_A Brand";v="24"', '"HeadlessChrome";v="131"', '"', '";v=;;'),
    "sec-ch-ua-mobile": odd("?0", "?1", "maybe"),
    "sec-ch-ua-platform": odd('"Linux"', "Linux", '"'),
    cookie: odd("a=b", "eg_pass=", "eg_pass=x.y.z; eg_pass=q", "=;=;=", "eg_hp=%ZZ"),
    "signature-input": odd('sig1=("@authority");created=1;keyid="x";tag="web-bot-auth"', "sig1=(", "sig1=();expires=99999999999999999999"),
    signature: odd("sig1=:AAAA:", "sig1=:not base64:", ":"),
    "signature-agent": odd('"https://bot.example"', "https://bot.example", '"http://127.0.0.1"', "sig1="),
    referer: odd("https://site.test/", "javascript:alert(1)", "http://[::1"),
    // Dev-only (DEV_CLIENT_OVERRIDES is on in tests): mostly absent, or nearly every request would be a 400.
    "x-dev-cf": fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 6 },
      { arbitrary: odd('{"asn":16509}', '{"asn":"lots"}', "{", "null", '{"country":"T1","unknown":1}'), weight: 1 },
    ),
    "cf-connecting-ip": odd("203.0.113.200", "::1", "999.1.1.1", "", "fe80::1%eth0"),
  },
  { requiredKeys: [] },
);
const repeats = fc.array(fc.tuple(fc.constantFrom("accept", "cookie", "sec-fetch-site", "user-agent", "signature-input"), wireValue(60)), {
  maxLength: 4,
});
const paths = fc.oneof(
  fc.constantFrom(
    "/",
    "/feed.xml",
    "/robots.txt",
    "/articles/1",
    "/.well-known/http-message-signatures-directory",
    "/__eg/challenge",
    "/archive/x",
  ),
  fc.webPath(),
  fc.string({ maxLength: 300 }).map((s) => `/${encodeURIComponent(s)}`),
);

describe("fuzz: request headers against the edge", () => {
  const statuses = new Map<number, number>();
  afterAll(() => console.log(`fuzz edge: ${runs} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`));

  it(
    "answers every request without a 5xx (but the deliberate 503 challenge); a 400 carries a stable code, and nothing tells the client why",
    { timeout: 30_000 + runs * 300 },
    async () => {
      await fc.assert(
        fc.asyncProperty(
          headerSets,
          repeats,
          paths,
          fc.constantFrom("GET", "HEAD", "POST", "OPTIONS", "PATCH"),
          async (set, extra, path, method) => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(set)) if (value !== undefined) headers.set(name, value);
            for (const [name, value] of extra) headers.append(name, value);
            const response = await exports.default
              .fetch(new Request(`http://site.test${path}`, { method, headers, redirect: "manual" }))
              .catch((error: unknown) => {
                throw new Error(`the edge threw instead of answering (${method} ${path.slice(0, 80)}): ${String(error)}`);
              });
            const body =
              method === "HEAD"
                ? ""
                : await response.text().catch((error: unknown) => {
                    // The demo origin (Node) answers headers over its 16 KB limit with 431 and closes the socket mid-body:
                    // the origin's answer, passed through as it came.
                    if (response.status === 431) return "";
                    throw new Error(
                      `the ${response.status} body broke off (${method} ${path.slice(0, 80)}, headers ${JSON.stringify([...response.headers]).slice(0, 300)}): ${String(error)}`,
                    );
                  });
            // The one 5xx the edge sends on purpose: the challenge / "one moment" page, 503 + Retry-After (never indexed).
            // And the gateway answer when the origin itself refuses the request (e.g. headers larger than it takes).
            const plainSignal =
              (response.status === 503 && response.headers.has("retry-after")) ||
              (response.status === 502 && body.includes("Code: origin_unreachable"));
            if (!plainSignal) expect(response.status, body.slice(0, 200)).toBeLessThan(500);
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            if (response.status === 400 && method !== "HEAD")
              expect(JSON.parse(body)).toMatchObject({ error: expect.stringMatching(/^[a-z_]+$/) });
            if (response.status === 403 || response.status === 429)
              expect(body).not.toMatch(/"reasons"|"weight"|ua-ai-crawler|hdr-headless/);
          },
        ),
        // Counterexamples hold 32 KB headers: report their shape, not their bytes.
        {
          numRuns: runs,
          reporter: (details) => {
            if (details.failed)
              throw new Error(
                `fuzz edge failed after ${details.numRuns} runs (seed ${details.seed}, path ${details.counterexamplePath ?? "?"}): ${String(details.errorInstance).slice(0, 500)}`,
              );
          },
        },
      );
    },
  );
});

describe("fuzz: the data refresh (Cron Trigger) against any third-party answer", () => {
  it(
    "stores only sane lists: AI tokens that match no browser, crawler ranges no wider than a /16 (v4) or /32 (v6)",
    { timeout: 30_000 + runs * 300 },
    async () => {
      const bundled = CrawlerRangesSchema.parse(bundledRanges);
      const prefix = fc.oneof(
        fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, bits]) => ({ ipv4Prefix: `${ip}/${bits}` })),
        fc.constantFrom(
          { ipv4Prefix: "0.0.0.0/0" },
          { ipv6Prefix: "::/0" },
          { ipv6Prefix: "2001:db8::/32" },
          { ipv4Prefix: "66.249.64.0/27" },
        ),
        fc.jsonValue({ maxDepth: 1 }),
      );
      const rangesDoc = fc.oneof(
        fc.record({ creationTime: fc.string(), prefixes: fc.array(prefix, { minLength: 1, maxLength: 5 }) }),
        fc.jsonValue({ maxDepth: 2 }),
      );
      const token = fc.oneof(
        fc.constantFrom("GPTBot", "Mozilla", "Chrome", "Safari", "Mobile", "AppleWebKit", "NewBot"),
        fc.string({ maxLength: 30 }),
      );
      const aiDoc = fc.oneof(fc.dictionary(token, fc.constant({}), { minKeys: 0, maxKeys: 40 }), fc.jsonValue({ maxDepth: 2 }));
      // Mostly the JSON given; now and then a body that is not JSON, or a 503.
      const answer = (doc: unknown, roll: number) =>
        roll % 6 < 4 ? Response.json(doc) : roll % 6 === 4 ? new Response("{not json") : new Response("", { status: 503 });
      await fc.assert(
        fc.asyncProperty(
          aiDoc,
          fc.array(rangesDoc, { minLength: bundled.crawlers.length, maxLength: bundled.crawlers.length }),
          fc.nat(),
          async (ai, ranges, seed) => {
            const byUrl = new Map<string, unknown>([
              [AI_ROBOTS_JSON_URL, ai],
              ...bundled.crawlers.map((c, i) => [c.source, ranges[i]] as const),
            ]);
            const fetcher = (async (input: RequestInfo | URL) => {
              const url = String(input instanceof Request ? input.url : input);
              if (!byUrl.has(url)) return new Response("not found", { status: 404 });
              return answer(byUrl.get(url), seed + url.length);
            }) as typeof fetch;
            await refreshData(env.BLOCKLIST, fetcher, Date.parse("2026-11-22T00:00:00Z"), isolateState().faults);
            const stored = AiAgentsSchema.safeParse(await env.BLOCKLIST.get(AI_AGENTS_KV_KEY, "json"));
            if (stored.success) {
              const re = aiAgentsRegExp(stored.data.tokens);
              for (const ua of browserCanaries) expect(re.test(ua), ua).toBe(false);
            }
            const storedRanges = await env.BLOCKLIST.get(CRAWLER_RANGES_KV_KEY, "json");
            if (storedRanges !== null) {
              for (const crawler of CrawlerRangesSchema.parse(storedRanges).crawlers) {
                for (const p of crawler.prefixes)
                  expect(Number(p.split("/")[1]), `${crawler.id} ${p}`).toBeGreaterThanOrEqual(p.includes(":") ? 32 : 16);
              }
            }
          },
        ),
        { numRuns: Math.max(10, Math.floor(runs / 2)) },
      );
    },
  );
});
