import type { IncomingMessage } from "node:http";

/** Paths that are not real pages: subresources, robots.txt, sitemap, favicon (and the feed, counted apart). */
const NOT_A_PAGE = /^\/(?:static\/|robots\.txt|sitemap\.xml|favicon\.ico)/;
const FEED = /^\/feed\.xml$/;

/**
 * Counts what the demo origin really served, per client address (the `x-forwarded-for` edge-guard sets): real HTML
 * pages and feeds. An end-to-end test hands `record` to the stack's `onOriginRequest`; what the tarpit or a block
 * answered never reaches the origin, so these counts are what a client truly got.
 */
export class OriginPages {
  private readonly pageCounts = new Map<string, number>();
  private readonly feedCounts = new Map<string, number>();
  private readonly listeners: Array<(req: IncomingMessage) => void> = [];

  /** For `startStack({ onOriginRequest })`. */
  readonly record = (req: IncomingMessage): void => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const ip = String(req.headers["x-forwarded-for"] ?? "none");
    const counts = FEED.test(path) ? this.feedCounts : NOT_A_PAGE.test(path) ? null : this.pageCounts;
    if (counts === null) return;
    counts.set(ip, (counts.get(ip) ?? 0) + 1);
    if (counts === this.pageCounts) for (const listener of this.listeners) listener(req);
  };

  /** Real pages served to one address, or summed over several. */
  pages(ip: string | readonly string[]): number {
    const ips = typeof ip === "string" ? [ip] : ip;
    return ips.reduce((sum, one) => sum + (this.pageCounts.get(one) ?? 0), 0);
  }

  /** Feeds served to one address. */
  feeds(ip: string): number {
    return this.feedCounts.get(ip) ?? 0;
  }

  /** Also called for every real page (e.g. to note a request's sequence number). */
  onPage(listener: (req: IncomingMessage) => void): void {
    this.listeners.push(listener);
  }

  /** Pages per address, for E2E_DEBUG output. */
  summary(): Record<string, number> {
    return Object.fromEntries(this.pageCounts);
  }
}
