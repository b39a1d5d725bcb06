import type { RequestFacts } from "./request-facts";

/** What a request asks for, as counted per client: an HTML page, a subresource, or something else. */
export type RequestKind = "page" | "asset" | "other";

const ASSET_EXT_RE = /\.(?:css|js|mjs|png|jpe?g|gif|svg|webp|avif|ico|woff2?|ttf|otf|mp4|webm)$/i;
const ASSET_DEST = new Set(["image", "style", "script", "font", "audio", "video", "track", "manifest"]);
const FEED_RE = /(?:\.(?:xml|rss|atom|json|txt)$|\/feed\/?$)/i;

/** Classifies a request from its path, Accept and Sec-Fetch-Dest (which browsers set and scrapers rarely do). */
export function requestKind(facts: Pick<RequestFacts, "path" | "headers">): RequestKind {
  const dest = facts.headers["sec-fetch-dest"];
  if ((dest !== undefined && ASSET_DEST.has(dest)) || ASSET_EXT_RE.test(facts.path)) return "asset";
  if (dest === "document" || (facts.headers["accept"] ?? "").includes("text/html")) return "page";
  return FEED_RE.test(facts.path) ? "other" : "page";
}

/** A feed or other machine-readable document (feed readers poll these; page budgets never count them). */
export function isFeedPath(path: string): boolean {
  return FEED_RE.test(path);
}
