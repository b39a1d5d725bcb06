import type { ClientIp } from "./client-ip";
import type { CfFacts, ClientCounts } from "./report";
import { DEFAULT_SITE_ID } from "./sites";

/** What edge-guard knows about one request before deciding. Built once per request by the Worker. */
export interface RequestFacts {
  readonly ip: ClientIp;
  readonly method: string;
  /** URL path, without query string. */
  readonly path: string;
  readonly userAgent: string;
  /** The few request headers signals look at, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly cf: CfFacts;
  /** Epoch milliseconds. */
  readonly receivedAt: number;
  /** The site the request's host belongs to (core/sites.ts); absent: the default site. */
  readonly site?: string;
}

/** The site of a request: its own, or the default site's when the facts name none. */
export function siteOf(facts: Pick<RequestFacts, "site">): string {
  return facts.site ?? DEFAULT_SITE_ID;
}

/** What edge-guard's stores say about the client. */
export interface ClientState {
  /** The IP is on the KV blocklist. */
  readonly blocklisted: boolean;
  /** Recent activity, this request included; null when the ledger could not be reached (fail open). */
  readonly counts: ClientCounts | null;
}

/** The parts of a request the facts come from (a Request satisfies `headers`; the caller parses the URL's path). */
export interface FactSource {
  readonly method: string;
  readonly path: string;
  readonly headers: { get(name: string): string | null };
}

/** The facts of a request whose client address and `cf` fields the caller has worked out (edge: facts.ts; tests). */
export function requestFacts(source: FactSource, ip: ClientIp, cf: CfFacts, receivedAt: number): RequestFacts {
  const headers: Record<string, string> = {};
  for (const name of FACT_HEADERS) {
    const value = source.headers.get(name);
    if (value !== null) headers[name] = value.slice(0, 1024);
  }
  const userAgent = (source.headers.get("user-agent") ?? "").slice(0, 1024);
  return { ip, method: source.method, path: source.path, userAgent, headers, cf, receivedAt };
}

/** Request headers copied into RequestFacts and reports (lower-case). */
export const FACT_HEADERS: readonly string[] = [
  "accept",
  "accept-language",
  "accept-encoding",
  "sec-fetch-site",
  "sec-fetch-mode",
  "sec-fetch-dest",
  "sec-ch-ua",
  "sec-ch-ua-mobile",
  "sec-ch-ua-platform",
  "upgrade-insecure-requests",
  "referer",
];
