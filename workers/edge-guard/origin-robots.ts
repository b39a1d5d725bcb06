import { parseRobots, type Robots } from "../../core/robots";

/** How long an isolate trusts the origin's robots.txt. */
const ROBOTS_TTL_MS = 60 * 60_000;
/** After a failed fetch, how long before trying again (meanwhile: no robots signal, fail open). */
const ROBOTS_RETRY_MS = 5 * 60_000;
const ROBOTS_TIMEOUT_MS = 2_000;

interface Loaded {
  readonly text: string | null;
  readonly robots: Robots | null;
  readonly until: number;
}

/** The origin's robots.txt, fetched at most once an hour per isolate. A fetch that fails yields null (fail open). */
export class OriginRobots {
  #loaded: Loaded | null = null;
  #loading: Promise<Loaded> | null = null;

  /** The origin's robots.txt text and its parse; `text` null when the origin has none or is unreachable. */
  async get(originBase: string, now: number): Promise<{ text: string | null; robots: Robots | null }> {
    if (this.#loaded !== null && this.#loaded.until > now) return this.#loaded;
    this.#loading ??= this.#fetch(originBase, now).finally(() => (this.#loading = null));
    this.#loaded = await this.#loading;
    return this.#loaded;
  }

  async #fetch(originBase: string, now: number): Promise<Loaded> {
    try {
      const response = await fetch(new URL("/robots.txt", originBase), { signal: AbortSignal.timeout(ROBOTS_TIMEOUT_MS) });
      if (response.status >= 400 && response.status < 500) {
        await response.body?.cancel();
        return { text: null, robots: null, until: now + ROBOTS_TTL_MS }; // RFC 9309 §2.3.1.3: 4xx = no rules
      }
      if (!response.ok) throw new Error(`origin answered ${response.status} for /robots.txt`);
      const text = await response.text();
      return { text, robots: parseRobots(text), until: now + ROBOTS_TTL_MS };
    } catch (error) {
      console.error(JSON.stringify({ msg: "origin robots.txt unavailable", code: "fault_robots", error: String(error) }));
      return { text: null, robots: null, until: now + ROBOTS_RETRY_MS };
    }
  }
}
