type WaitUntil = (promise: Promise<unknown>) => void;

/**
 * When an isolate cache reloads from KV: at most once per `intervalMs`, one load at a time. The isolate's first
 * request waits for the first load; later reloads run in the background (`waitUntil`) and no request waits.
 */
export class DueRefresh {
  #checkedAt = -Infinity;
  #running: Promise<void> | null = null;

  constructor(readonly intervalMs: number) {}

  /** Starts `load` if it is due; resolves when the caller may go on. */
  async run(now: number, waitUntil: WaitUntil, load: () => Promise<void>): Promise<void> {
    if (now - this.#checkedAt < this.intervalMs || this.#running !== null) return;
    const first = this.#checkedAt === -Infinity;
    this.#checkedAt = now;
    this.#running = load().finally(() => (this.#running = null));
    if (first) await this.#running;
    else waitUntil(this.#running);
  }
}
