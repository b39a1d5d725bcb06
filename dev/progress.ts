/** Progress of a long step, as lines: a bar, done/total, a rate and an ETA. */
export interface Progress {
  /** Reports `done` units (and `count` things, for the rate, when it differs from units); prints at most every interval. */
  update(done: number, count?: number): void;
  /** Prints the final line (always). */
  finish(done: number, count?: number): void;
}

/** How a progress line is labelled and how often it is printed. */
export interface ProgressOptions {
  readonly label: string;
  /** What `done`/`total` count (e.g. "chars"), and what the rate counts (e.g. "tokens"; defaults to `unit`). */
  readonly unit: string;
  readonly rateUnit?: string;
  readonly intervalMs?: number;
  readonly now?: () => number;
}

const BAR_WIDTH = 20;

/** A throttled progress reporter writing through `log`; `total` 0 means unknown (no bar, no ETA). */
export function createProgress(total: number, log: (line: string) => void, options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const interval = options.intervalMs ?? 1000;
  let lastPrinted = started;
  const line = (done: number, count: number): string => {
    const seconds = (now() - started) / 1000;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = total > 0 ? `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ` : "";
    const rate = seconds > 0 ? Math.round(count / seconds) : 0;
    const eta = total > 0 && fraction > 0 && fraction < 1 ? ` · ETA ${formatSeconds((seconds / fraction) * (1 - fraction))}` : "";
    return `${options.label} ${bar}${fmt(done)}${total > 0 ? `/${fmt(total)}` : ""} ${options.unit} · ${fmt(rate)} ${options.rateUnit ?? options.unit}/s · ${formatSeconds(seconds)}${eta}`;
  };
  return {
    update(done, count = done) {
      const t = now();
      if (t - lastPrinted < interval) return;
      lastPrinted = t;
      log(line(done, count));
    },
    finish(done, count = done) {
      log(line(done, count));
    },
  };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
