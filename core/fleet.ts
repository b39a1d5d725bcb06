import { fnv1a } from "./fingerprint";
import type { RequestFacts } from "./request-facts";
import type { Reason } from "./verdict";
import { FLEET_EVIDENCE_SIGNALS, signal } from "./signals/registry";

/**
 * Fleet detection: crawlers that rotate residential addresses still send one client's headers and TLS
 * handshake from every address. Group requests by that fingerprint; when several addresses of one group show
 * bot evidence within a window, the whole group is challenged for a while. A person with JavaScript passes once;
 * a script does not.
 */

/** Addresses of one group with evidence inside FLEET_WINDOW_MS that flag the group. */
export const FLEET_MIN_ADDRESSES = 3;
/** How far back evidence counts. */
export const FLEET_WINDOW_MS = 10 * 60_000;
/** How long a flagged group stays challenged after its last flagging evidence. */
export const FLEET_FLAG_MS = 60 * 60_000;
/** Pages a group may read (across its addresses) with hardly any subresource before that is evidence. */
// High enough that a popular browser build whose returning visitors have every asset cached still shows a first
// visitor's asset requests within the window.
export const GROUP_PAGES_WITHOUT_ASSETS = 30;

/** A flag is re-published only when it moves this much later (bounds KV writes from a busy fleet). */
export const FLEET_REPUBLISH_MS = 5 * 60_000;

/** A group's flag after new evidence: its end, whether it starts now, and whether the snapshot must learn it. */
export interface FleetFlag {
  readonly until: number;
  readonly first: boolean;
  readonly publish: boolean;
}

/**
 * The flag of a group whose `addresses` distinct addresses showed evidence in the window, given the flag it had
 * (`until`, epoch ms; 0 when never flagged). Null while too few addresses did: a flag already set runs its course.
 */
export function fleetFlag(addresses: number, until: number, at: number): FleetFlag | null {
  if (addresses < FLEET_MIN_ADDRESSES) return null;
  const first = until <= at;
  const next = at + FLEET_FLAG_MS;
  const publish = first || next - until >= FLEET_REPUBLISH_MS;
  return { until: publish ? next : until, first, publish };
}

/**
 * The group a request belongs to: the client's stable headers plus the transport traits Cloudflare reports (TLS
 * cipher and ClientHello digests, JA4, HTTP version). An absent trait is simply not part of the key.
 */
export function fleetGroup(facts: Pick<RequestFacts, "userAgent" | "headers" | "cf">): string {
  const { cf, headers: h } = facts;
  // Only what one client sends alike on every request: `accept` and `sec-fetch-*` differ between a page and its
  // stylesheet, and the group must see both (its subresource ratio is evidence).
  const client = [
    facts.userAgent,
    h["accept-language"],
    h["accept-encoding"],
    h["sec-ch-ua"],
    h["sec-ch-ua-platform"],
    h["sec-ch-ua-mobile"],
  ];
  const transport = [cf.httpProtocol, cf.tlsVersion, cf.tlsCipher, cf.tlsClientExtensionsSha1, cf.tlsClientCiphersSha1, cf.ja4];
  const text = (parts: ReadonlyArray<string | undefined>) => parts.map((p) => p ?? "-").join("\u0000");
  return `${fnv1a(text(client)).toString(36)}.${fnv1a(text(transport)).toString(36)}`;
}

/**
 * The evidence codes of one request, for its group. A trap-path request the browser made on another site's
 * behalf (a cross-site request, or any subresource) is no one's evidence: a third party can cause it.
 */
export function fleetEvidence(facts: Pick<RequestFacts, "headers">, reasons: readonly Reason[]): string[] {
  const site = facts.headers["sec-fetch-site"];
  const dest = facts.headers["sec-fetch-dest"];
  const foreign = site === "cross-site" || (dest !== undefined && dest !== "document");
  const codes = new Set<string>();
  for (const r of reasons) {
    if (!FLEET_EVIDENCE_SIGNALS.has(r.code) || r.weight <= 0) continue;
    if (foreign && (r.code === "trap-path" || r.code === "honeypot-foreign")) continue;
    codes.add(r.code);
  }
  return [...codes];
}

/** Page and subresource counts of one group over ten minutes. */
export interface GroupCounts {
  readonly pages: number;
  readonly assets: number;
}

/** Subresources per page below which a group "does not load subresources" (a browser loads several per page). */
export const GROUP_MIN_ASSETS_PER_PAGE = 0.1;

/**
 * A group that reads pages and (almost) never loads a subresource: a fleet of HTTP clients in browser headers.
 * Almost: a crawler that also follows a link to the favicon or an image must not escape by it.
 */
export function groupSignals(counts: GroupCounts, client: GroupCounts, textBrowser: boolean, declaredBot: boolean): Reason[] {
  if (textBrowser || declaredBot) return [];
  // Only an address that itself read a second page without loading anything is the group's evidence: a person of
  // the same browser build loads the first page's subresources before the second page.
  const clientBare = client.pages >= 2 && client.assets === 0;
  if (clientBare && counts.pages >= GROUP_PAGES_WITHOUT_ASSETS && counts.assets < counts.pages * GROUP_MIN_ASSETS_PER_PAGE) {
    return [signal("group-no-subresources", `${counts.pages} pages, ${counts.assets} subresources`)];
  }
  return [];
}
