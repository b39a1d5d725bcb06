/** What the tarpit counts. Each is a plain sum, so counts from many isolates and minutes add up. */
export const TARPIT_COUNTERS = [
  /** Labyrinth pages and fake assets answered. */
  "pages",
  "assets",
  /** Body bytes sent, and chunks (each chunk after the first is one timer wake-up: the tarpit's CPU cost). */
  "bytes",
  "chunks",
  /** Milliseconds clients waited for slow bodies to finish (or until they gave up). */
  "heldMs",
  /** Bodies sent slowly, and bodies sent at full speed because the client already held its share of slow streams. */
  "slowStreams",
  "fastServed",
  /** Hops counted, and clients put on the blocklist for hopping too far. */
  "hops",
  "blocks",
  /** Things that went wrong and were survived: bundled chain served, hop counter or KV or Queue unreachable. */
  "faults",
] as const;
export type TarpitCounter = (typeof TARPIT_COUNTERS)[number];
export type TarpitCounters = Record<TarpitCounter, number>;

/**
 * CPU cost model, measured by `npm run bench:tarpit` (bench/results/tarpit.md, sections 3 and 4): workerd's CPU per
 * page with its HopCounter call (~6.3 ms in Miniflare), and per further chunk of a slow stream (~0.3 ms). Workers
 * give code no CPU clock, so in-Worker figures are estimates; production's are in Workers analytics (cpuTime).
 */
export const CPU_US_PER_PAGE = 6300;
export const CPU_US_PER_CHUNK = 300;

/** All counters at zero. */
export function emptyCounters(): TarpitCounters {
  return Object.fromEntries(TARPIT_COUNTERS.map((name) => [name, 0])) as TarpitCounters;
}

/** Adds `delta` into `into` (in place) and returns it. */
export function addCounters(into: TarpitCounters, delta: Partial<TarpitCounters>): TarpitCounters {
  for (const name of TARPIT_COUNTERS) into[name] += delta[name] ?? 0;
  return into;
}

/** True when nothing was counted. */
export function isEmpty(counters: TarpitCounters): boolean {
  return TARPIT_COUNTERS.every((name) => counters[name] === 0);
}

/** Counters with what admin shows next to them: estimated CPU seconds and held seconds per CPU second. */
export interface TarpitSummary extends TarpitCounters {
  readonly heldSeconds: number;
  readonly cpuSecondsEstimate: number;
  /** Seconds clients were held ÷ estimated CPU seconds spent; null before anything was served. */
  readonly asymmetry: number | null;
}

/** Summarises counters with the CPU cost model. */
export function summarise(counters: TarpitCounters): TarpitSummary {
  const cpuSeconds = ((counters.pages + counters.assets) * CPU_US_PER_PAGE + counters.chunks * CPU_US_PER_CHUNK) / 1e6;
  const heldSeconds = counters.heldMs / 1000;
  return { ...counters, heldSeconds, cpuSecondsEstimate: cpuSeconds, asymmetry: cpuSeconds > 0 ? heldSeconds / cpuSeconds : null };
}

/** The deployment's counters over a time window, as the tarpit's `metrics()` RPC returns them (admin shows this). */
export interface TarpitMetricsView {
  /** ISO time the window starts. */
  readonly since: string;
  readonly totals: TarpitSummary;
  /** One entry per minute that saw traffic, oldest first; `minute` is its ISO start. */
  readonly minutes: ReadonlyArray<{ readonly minute: string } & TarpitCounters>;
}

/** The start of the minute holding `at` (epoch ms): the key counters are stored under. */
export function minuteOf(at: number): number {
  return Math.floor(at / 60_000) * 60_000;
}
