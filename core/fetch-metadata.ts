/**
 * Fetch Metadata (https://www.w3.org/TR/fetch-metadata/) as far as the trap needs it: did the client choose this
 * request, or did someone else's page make its browser send it? Browsers send these headers and pages cannot
 * forge them; a non-browser can send anything, so they only ever take consequences away from a request into the
 * trap, and never let anything through elsewhere.
 */
export type FetchSite = "same-origin" | "same-site" | "cross-site" | "none";

/** The Fetch Metadata of one request. Absent, duplicated, oversized or unknown values are null (or false). */
export interface FetchMetadata {
  readonly site: FetchSite | null;
  /** `Sec-Fetch-Dest`: document, iframe, image, script, style, empty… */
  readonly dest: string | null;
  /** `Sec-Purpose: prefetch…` or the legacy `Purpose: prefetch`: nobody has asked to see it yet. */
  readonly prefetch: boolean;
}

/**
 * How a request arrived in the trap: `embedded` when another site's page (or a prefetch) made the browser load
 * it (never the client's choice), `foreign-navigation` when a page on another site sent the browser there,
 * `direct` otherwise (same origin, typed, bookmarked, or a client without Fetch Metadata).
 */
export type TrapEntry = "embedded" | "foreign-navigation" | "direct";

const SITES: ReadonlySet<string> = new Set<FetchSite>(["same-origin", "same-site", "cross-site", "none"]);
/** Longer than any value browsers send; a longer header is garbage and read as absent. */
const MAX_VALUE_CHARS = 64;
const DEST = /^[a-z][a-z-]{0,31}$/;
/** RFC 9651 list whose first item is the token `prefetch`, with or without parameters (`prefetch;prerender`). */
const SEC_PURPOSE_PREFETCH = /^prefetch(?:;[a-z0-9-]+(?:=\?1)?)*$/;

/**
 * Reads the Fetch Metadata of a request from its headers (`get` returns a header's value, null when absent).
 * A duplicated header arrives joined with ", " and so is not a known value: it counts as absent.
 */
export function readFetchMetadata(get: (name: string) => string | null): FetchMetadata {
  const value = (name: string): string | null => {
    const raw = get(name);
    return raw === null || raw.length > MAX_VALUE_CHARS ? null : raw.trim().toLowerCase();
  };
  const site = value("sec-fetch-site");
  const dest = value("sec-fetch-dest");
  const purpose = value("sec-purpose");
  return {
    site: site !== null && SITES.has(site) ? (site as FetchSite) : null,
    dest: dest !== null && DEST.test(dest) ? dest : null,
    prefetch: (purpose !== null && SEC_PURPOSE_PREFETCH.test(purpose)) || value("purpose") === "prefetch",
  };
}

/**
 * How a request into the trap arrived. Another site of the same registrable domain (`same-site`) counts as
 * foreign: a user-content subdomain can embed as freely as any other site. A foreign request without a readable
 * destination is treated as embedded: it then gets an empty answer, not the labyrinth.
 */
export function trapEntry(meta: FetchMetadata): TrapEntry {
  if (meta.prefetch) return "embedded";
  if (meta.site !== "cross-site" && meta.site !== "same-site") return "direct";
  return meta.dest === "document" ? "foreign-navigation" : "embedded";
}
