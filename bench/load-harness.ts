import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Stack } from "../dev/stack";
import { CHROME_NAVIGATION_HEADERS } from "../test/support/browser-headers";

/**
 * A mixed workload against the whole dev stack on loopback, bounded in time: people (a Chrome header set, a page and
 * its stylesheet, a pause), feed readers, a crawler fleet and a declared AI crawler (into the labyrinth), and
 * attackers (thousands of addresses, junk and oversized headers, trap paths, forged challenge answers, blocked
 * addresses). Reports status counts and latency per class, workerd's memory (RSS) over time, and the edge
 * isolate's map sizes against their caps (from its /metrics). Used by `npm run bench:load` and test/e2e/load.test.ts.
 */
export interface LoadOptions {
  readonly seconds: number;
  /** Concurrent clients per class (people, feeds, crawlers, attackers). */
  readonly concurrency?: Partial<Record<ClientClass, number>>;
  /** Called every sample (about once per second) with a progress line. */
  readonly log?: (line: string) => void;
}

export type ClientClass = "person" | "feed" | "crawler" | "attacker";

export interface ClassResult {
  readonly requests: number;
  readonly statuses: Record<string, number>;
  /** Responses with a 5xx that must not happen with every part up: any but a challenge's 503 (502 included: the origin is up). */
  readonly errors5xx: number;
  /** Client-side failures (connection reset, timeout). */
  readonly failed: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface LoadResult {
  readonly seconds: number;
  readonly classes: Record<ClientClass, ClassResult>;
  readonly requests: number;
  readonly rps: number;
  readonly errors5xx: number;
  /** workerd's resident memory, MiB: first sample, peak, last sample. */
  readonly rssMiB: { readonly first: number; readonly peak: number; readonly last: number } | null;
  /** Each edge isolate map: its largest size seen and its cap. */
  readonly maps: Record<string, { readonly peak: number; readonly cap: number }>;
  /** Distinct client addresses the attackers used. */
  readonly attackerAddresses: number;
}

const DEFAULT_CONCURRENCY: Record<ClientClass, number> = { person: 6, feed: 2, crawler: 4, attacker: 12 };
const PATHS = ["/", "/page/2", "/page/3", "/tags", "/articles/france", "/articles/japan", "/articles/brazil", "/articles/kenya", "/page/4"];
const SCRAPER_UAS = ["python-requests/2.32.3", "Scrapy/2.11.2 (+https://scrapy.org)", "curl/8.11.0", "Go-http-client/2.0"];
const GPTBOT_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";
const FEED_UA = "Feedbin feed-id:1234 - 1 subscribers";

/** A deterministic pseudo-random sequence (mulberry32), so a run's workload is the same every time. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sample {
  readonly status: number;
  readonly ms: number;
}

/** Sends one request and reads its body; status 0 when the client failed (reset, timeout). */
async function timed(url: string, init: RequestInit): Promise<Sample> {
  const started = performance.now();
  try {
    const response = await fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(30_000) });
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - started };
  } catch {
    return { status: 0, ms: performance.now() - started };
  }
}

/** One client of a class: the next request it sends. */
type Step = (rand: () => number, n: number) => { path: string; init: RequestInit; pauseMs: number };

const navigation = (ip: string, extra: Record<string, string> = {}): RequestInit => ({
  headers: { ...CHROME_NAVIGATION_HEADERS, "cf-connecting-ip": ip, ...extra },
});

function steps(worker: number, attackerIps: Set<string>): Record<ClientClass, Step> {
  return {
    // A person: one address per worker and 64 visitors each, a page then its stylesheet, a second or two apart.
    person: (rand, n) => {
      const ip = `192.0.2.${((worker * 7 + Math.floor(n / 16)) % 200) + 1}`;
      if (n % 2 === 1)
        return {
          path: "/static/site.css",
          init: navigation(ip, {
            accept: "text/css,*/*;q=0.1",
            "sec-fetch-mode": "no-cors",
            "sec-fetch-dest": "style",
            "sec-fetch-site": "same-origin",
          }),
          pauseMs: 1_000 + rand() * 1_000,
        };
      return { path: PATHS[Math.floor(rand() * PATHS.length)] ?? "/", init: navigation(ip), pauseMs: 50 };
    },
    // Feed readers: a service polling for its subscribers from 32 addresses per worker, each address every ~16 s, so
    // every address polls again within even the CI setting's 30 s: a feed reader blocked after its first poll shows.
    // (One address polling every second would rightly look like a bot.)
    feed: (_rand, n) => ({
      path: "/feed.xml",
      init: {
        headers: { "user-agent": FEED_UA, accept: "application/atom+xml", "cf-connecting-ip": `203.0.113.${worker * 32 + (n % 32) + 1}` },
      },
      pauseMs: 500,
    }),
    // The fleet: one /24, scripted clients walking the site; one in four requests a declared AI crawler's.
    crawler: (rand, n) => {
      const ip = n % 4 === 0 ? `198.51.100.${worker + 1}` : `198.18.200.${((worker * 13 + n) % 250) + 1}`;
      const ua = n % 4 === 0 ? GPTBOT_UA : (SCRAPER_UAS[worker % SCRAPER_UAS.length] ?? "curl/8.11.0");
      return {
        path: PATHS[Math.floor(rand() * PATHS.length)] ?? "/",
        init: { headers: { "user-agent": ua, accept: "text/html", "cf-connecting-ip": ip } },
        pauseMs: 20,
      };
    },
    // Attackers: a fresh address nearly every request (growing every per-address map), hostile input of every kind.
    attacker: (rand, n) => {
      const ip = `10.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 254) + 1}`;
      attackerIps.add(ip);
      const headers: Record<string, string> = { "cf-connecting-ip": ip, "user-agent": CHROME_NAVIGATION_HEADERS["user-agent"] ?? "" };
      switch (n % 6) {
        case 0:
          return { path: `/archive/${Math.floor(rand() * 1e9).toString(36)}`, init: { headers }, pauseMs: 0 };
        case 1:
          return {
            path: "/",
            init: {
              headers: {
                ...headers,
                cookie: `eg_pass=${"A".repeat(4_000)}; x=${"%ff".repeat(100)}`,
                "sec-ch-ua": '"\\"'.repeat(50),
                "signature-input": "sig1=(",
                signature: "sig1=:!!!:",
              },
            },
            pauseMs: 0,
          };
        case 2:
          return {
            path: "/.well-known/edge-guard/verify",
            init: {
              method: "POST",
              headers: { ...headers, "content-type": "application/json" },
              body: JSON.stringify({ ticket: "x".repeat(300), nonce: -1, evidence: [1, 2] }),
            },
            pauseMs: 0,
          };
        case 3:
          return {
            path: `/articles/${"a".repeat(1_500)}?q=${"%00".repeat(200)}`,
            init: { headers: { ...headers, "x-dev-cf": "{not json", "sec-fetch-site": "bogus" } },
            pauseMs: 0,
          };
        case 4:
          return {
            path: "/",
            init: { headers: { ...headers, "user-agent": "", accept: "*/*", "x-long": "v".repeat(16_000) } },
            pauseMs: 0,
          };
        default:
          return {
            path: PATHS[n % PATHS.length] ?? "/",
            init: { headers: { "cf-connecting-ip": ip, "user-agent": SCRAPER_UAS[n % SCRAPER_UAS.length] ?? "" } },
            pauseMs: 0,
          };
      }
    },
  };
}

/** workerd processes started by this process (Miniflare's), by PID. */
function workerdPids(): number[] {
  try {
    const out = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" });
    return out.split("\n").flatMap((line) => {
      const [pid, comm] = line.trim().split(/\s+/);
      return comm?.startsWith("workerd") ? [Number(pid)] : [];
    });
  } catch {
    return [];
  }
}

function rssMiB(pids: readonly number[]): number | null {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      return null;
    }
  }
  return pids.length === 0 ? null : Math.round(kb / 1024);
}

async function edgeMaps(stack: Stack): Promise<Record<string, { size: number; cap: number }>> {
  const response = await fetch(`${stack.edgeUrl}/.well-known/edge-guard/metrics`, {
    headers: { authorization: `Bearer ${stack.secrets.METRICS_TOKEN}` },
  });
  const text = await response.text();
  const out: Record<string, { size: number; cap: number }> = {};
  for (const m of text.matchAll(/^edge_guard_edge_map_(entries|cap)\{map="([^"]+)"\} (\d+)$/gm)) {
    const entry = (out[m[2] ?? ""] ??= { size: 0, cap: 0 });
    if (m[1] === "entries") entry.size = Number(m[3]);
    else entry.cap = Number(m[3]);
  }
  return out;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs the mixed workload for `seconds` against a started stack. */
export async function runLoad(stack: Stack, options: LoadOptions): Promise<LoadResult> {
  const concurrency = { ...DEFAULT_CONCURRENCY, ...options.concurrency };
  const samples: Record<ClientClass, Sample[]> = { person: [], feed: [], crawler: [], attacker: [] };
  const attackerIps = new Set<string>();
  const pids = workerdPids();
  const rss: number[] = [];
  const maps: Record<string, { peak: number; cap: number }> = {};
  const started = performance.now();
  const end = Date.now() + options.seconds * 1_000;

  const client = async (cls: ClientClass, worker: number) => {
    const rand = random(worker * 1_000 + cls.length);
    const step = steps(worker, attackerIps)[cls];
    for (let n = 0; Date.now() < end; n++) {
      const { path, init, pauseMs } = step(rand, n);
      samples[cls].push(await timed(`${stack.edgeUrl}${path}`, init));
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const sampler = async () => {
    while (Date.now() < end) {
      const mem = rssMiB(pids);
      if (mem !== null) rss.push(mem);
      for (const [map, { size, cap }] of Object.entries(await edgeMaps(stack).catch(() => ({})))) {
        const known = (maps[map] ??= { peak: 0, cap });
        known.peak = Math.max(known.peak, size);
        known.cap = cap;
      }
      const total = Object.values(samples).reduce((sum, s) => sum + s.length, 0);
      options.log?.(
        `${Math.round((performance.now() - started) / 1000)} s: ${total} requests, workerd ${mem ?? "?"} MiB, attackers ${attackerIps.size} addresses`,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  };

  await Promise.all([
    sampler(),
    ...(Object.keys(concurrency) as ClientClass[]).flatMap((cls) =>
      Array.from({ length: concurrency[cls] }, (_, worker) => client(cls, worker)),
    ),
  ]);
  const elapsedS = (performance.now() - started) / 1000;
  const classes = Object.fromEntries(
    (Object.keys(samples) as ClientClass[]).map((cls) => {
      const list = samples[cls];
      const ms = list.map((s) => s.ms).sort((a, b) => a - b);
      const statuses: Record<string, number> = {};
      for (const s of list) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
      const result: ClassResult = {
        requests: list.length,
        statuses,
        errors5xx: list.filter((s) => s.status >= 500 && s.status !== 503).length,
        failed: list.filter((s) => s.status === 0).length,
        p50Ms: Math.round(percentile(ms, 50)),
        p99Ms: Math.round(percentile(ms, 99)),
        maxMs: Math.round(ms.at(-1) ?? 0),
      };
      return [cls, result];
    }),
  ) as Record<ClientClass, ClassResult>;
  const requests = Object.values(classes).reduce((sum, c) => sum + c.requests, 0);
  return {
    seconds: Math.round(elapsedS),
    classes,
    requests,
    rps: Math.round(requests / elapsedS),
    errors5xx: Object.values(classes).reduce((sum, c) => sum + c.errors5xx, 0),
    rssMiB: rss.length === 0 ? null : { first: rss[0] ?? 0, peak: Math.max(...rss), last: rss.at(-1) ?? 0 },
    maps,
    attackerAddresses: attackerIps.size,
  };
}
