import { parseRobots, type Robots } from "../../core/robots";

/** How long an isolate trusts a host's robots.txt. */
const ROBOTS_TTL_MS = 60 * 60_000;
/** After a failed fetch, how long before trying again (meanwhile: no robots signal, fail open). */
const ROBOTS_RETRY_MS = 5 * 60_000;
const ROBOTS_TIMEOUT_MS = 2_000;
/** Hosts whose robots.txt one isolate keeps; the least recently used goes first (a wildcard route may see many). */
export const ROBOTS_MAX_HOSTS = 64;

interface Loaded {
  readonly text: string | null;
  readonly robots: Robots | null;
  readonly until: number;
}

/**
 * Where a request's robots.txt comes from: the request's own origin (a zone route), or ORIGIN_URL told the public
 * host in X-Forwarded-Host (as proxied pages are), so an origin serving several hosts answers for the right one.
 */
export function robotsSource(
  originUrl: string,
  requestUrl: string,
): { readonly host: string; readonly url: string; readonly headers: Record<string, string> } {
  const incoming = new URL(requestUrl);
  const host = incoming.host.toLowerCase();
  if (originUrl === "") return { host, url: new URL("/robots.txt", incoming.origin).href, headers: {} };
  return { host, url: new URL("/robots.txt", originUrl).href, headers: { "x-forwarded-host": host } };
}

/** Each host's robots.txt, fetched at most once an hour per isolate and host. A fetch that fails yields null (fail open). */
export class OriginRobots {
  readonly #loaded = new Map<string, Loaded>();
  readonly #loading = new Map<string, Promise<Loaded>>();

  /** The robots.txt text of the request's host and its parse; `text` null when the origin has none or is unreachable. */
  async get(originUrl: string, requestUrl: string, now: number): Promise<{ text: string | null; robots: Robots | null }> {
    const source = robotsSource(originUrl, requestUrl);
    const cached = this.#loaded.get(source.host);
    if (cached !== undefined && cached.until > now) {
      this.#loaded.delete(source.host); // re-inserted last: Map order is the recency order
      this.#loaded.set(source.host, cached);
      return cached;
    }
    let loading = this.#loading.get(source.host);
    if (loading === undefined) {
      loading = this.#fetch(source, now).finally(() => this.#loading.delete(source.host));
      this.#loading.set(source.host, loading);
    }
    const loaded = await loading;
    this.#loaded.delete(source.host); // re-inserted last: Map order is the recency order
    this.#loaded.set(source.host, loaded);
    for (const host of this.#loaded.keys()) {
      if (this.#loaded.size <= ROBOTS_MAX_HOSTS) break;
      this.#loaded.delete(host);
    }
    return loaded;
  }

  /** Hosts cached now, least recently used first. */
  hosts(): string[] {
    return [...this.#loaded.keys()];
  }

  async #fetch(source: ReturnType<typeof robotsSource>, now: number): Promise<Loaded> {
    try {
      const response = await fetch(source.url, { headers: source.headers, signal: AbortSignal.timeout(ROBOTS_TIMEOUT_MS) });
      if (response.status >= 400 && response.status < 500) {
        await response.body?.cancel();
        return { text: null, robots: null, until: now + ROBOTS_TTL_MS }; // RFC 9309 §2.3.1.3: 4xx = no rules
      }
      if (!response.ok) throw new Error(`origin answered ${response.status} for ${source.host}/robots.txt`);
      const text = await response.text();
      return { text, robots: parseRobots(text), until: now + ROBOTS_TTL_MS };
    } catch (error) {
      console.error(
        JSON.stringify({ msg: "origin robots.txt unavailable", code: "fault_robots", host: source.host, error: String(error) }),
      );
      return { text: null, robots: null, until: now + ROBOTS_RETRY_MS };
    }
  }
}
