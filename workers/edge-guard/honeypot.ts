import { clientPrefix } from "../../core/cidr";
import { LruMap } from "../../core/lru";
import { readFetchMetadata, trapEntry, type TrapEntry } from "../../core/fetch-metadata";
import { honeypotPath, matchHoneypotPath, type HoneypotMac, type TokenMatch } from "../../core/honeypot-token";
import type { RequestFacts } from "../../core/request-facts";
import { signal } from "../../core/signals/registry";
import type { Reason } from "../../core/verdict";
import type { Faults } from "./faults";

/** Shorter than TOKEN_SECRET's 32 characters, a token could be forged: no honeypot links, no labels. */
const MIN_SECRET_CHARS = 32;
/** MACs remembered per isolate: a page view needs two, and real traffic repeats a few (prefix, User-Agent, hour). */
const MAC_MEMO_MAX = 2_000;

/** The honeypot key of one TOKEN_SECRET, and the MACs computed under it. */
interface HoneypotKeys {
  readonly secret: string;
  readonly key: Promise<CryptoKey>;
  readonly memo: LruMap<string, string>;
}
const encoder = new TextEncoder();

/** The isolate's honeypot key (part of its state): derived once per TOKEN_SECRET, with its MACs memoised. */
export class HoneypotKeyring {
  #keys: HoneypotKeys | null = null;

  /** The MAC for honeypot tokens under TOKEN_SECRET, or null when the secret is missing or too short. */
  mac(secret: string | undefined): HoneypotMac | null {
    if (secret === undefined || secret.length < MIN_SECRET_CHARS) return null;
    if (this.#keys?.secret !== secret) this.#keys = { secret, key: deriveKey(secret), memo: new LruMap(MAC_MEMO_MAX) };
    const { key, memo } = this.#keys;
    return async (message) => {
      const known = memo.get(message);
      if (known !== undefined) return known;
      const mac = hex(await crypto.subtle.sign("HMAC", await key, encoder.encode(message)));
      memo.set(message, mac);
      return mac;
    };
  }
}

// A key of its own, derived from TOKEN_SECRET, so a honeypot MAC can never pass for a challenge token's signature.
async function deriveKey(secret: string): Promise<CryptoKey> {
  const root = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const derived = await crypto.subtle.sign("HMAC", root, encoder.encode("edge-guard honeypot key v1"));
  return crypto.subtle.importKey("raw", derived, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer).subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

const networkOf = (facts: RequestFacts): string => clientPrefix(facts.ip) ?? facts.ip;

/** What edge-guard knows about a request into the trap before scoring it. */
export interface TrapVisit {
  readonly entry: TrapEntry;
  readonly token: TokenMatch;
}

/** How a request into the trap arrived (Fetch Metadata) and whose honeypot token it carries. */
export async function trapVisit(request: Request, facts: RequestFacts, mac: HoneypotMac | null, faults: Faults): Promise<TrapVisit> {
  const entry = trapEntry(readFetchMetadata((name) => request.headers.get(name)));
  // An embedded request is answered empty whatever it carries: no need to check a token.
  if (entry === "embedded" || mac === null) return { entry, token: "none" };
  try {
    return { entry, token: await matchHoneypotPath(mac, facts.path, networkOf(facts), facts.userAgent, facts.receivedAt) };
  } catch (error) {
    faults.record("honeypot", error); // no token read: nobody is labelled
    return { entry, token: "none" };
  }
}

/** The signals a trap visit adds to `trap-path`. */
export function trapSignals(visit: TrapVisit): Reason[] {
  if (visit.token === "own") return [signal("honeypot-own")];
  if (visit.token === "foreign") return [signal("honeypot-foreign")];
  return [];
}

/**
 * The answer to a trap URL that another site's page (or a prefetch) made a browser load: empty, uncached, the
 * same whatever the reason, and costing no storage. No label, no hop, no labyrinth.
 */
export function embeddedTrapResponse(): Response {
  return new Response(null, { status: 404, headers: { "cache-control": "no-store", "x-robots-tag": "noindex" } });
}

/**
 * A link into the labyrinth that no person sees or follows: no text, off-screen, hidden from assistive
 * technology and out of the tab order. Verified crawlers are told by the managed robots.txt to stay out of
 * the trap prefix, so whoever requests it is a crawler that ignores robots.txt. `href` is bound to the client.
 */
export function honeypotLink(href: string): string {
  return `<a href="${href}" rel="nofollow" aria-hidden="true" tabindex="-1" style="position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden"></a>`;
}

const LINK_PREFIX = "\n";

/**
 * Adds a honeypot link, bound to this client's network, User-Agent and hour, at the end of an HTML response's body
 * stream; other responses, and every response without a usable TOKEN_SECRET, pass untouched. The link is appended
 * after the document instead of parsed into `<body>` (no HTMLRewriter): HTML parsers (browsers, lxml, html5lib)
 * put content after `</html>` into the body, and a crawler's link extractor finds it there. The origin's bytes go
 * through a native pipe (no JavaScript per chunk); the link is written when the pipe ends.
 * (A fetched body is already decoded here; the runtime re-encodes it per Content-Encoding on the way out.)
 */
export async function withHoneypot(response: Response, facts: RequestFacts, mac: HoneypotMac | null, faults: Faults): Promise<Response> {
  if (mac === null || !(response.headers.get("content-type") ?? "").includes("text/html") || response.body === null) return response;
  let link: Uint8Array;
  try {
    link = encoder.encode(LINK_PREFIX + honeypotLink(await honeypotPath(mac, networkOf(facts), facts.userAgent, facts.receivedAt)));
  } catch (error) {
    faults.record("honeypot", error); // the page goes out without a honeypot
    return response;
  }
  const { readable, writable } = new IdentityTransformStream();
  // An origin body that fails mid-way aborts the pipe's writable, so the client sees the page cut short, as without us.
  response.body
    .pipeTo(writable, { preventClose: true })
    .then(async () => {
      const writer = writable.getWriter();
      await writer.write(link);
      await writer.close();
    })
    .catch((error: unknown) => faults.record("honeypot", error));
  const headers = new Headers(response.headers);
  headers.delete("content-length"); // the body grew
  return new Response(readable, { status: response.status, statusText: response.statusText, headers });
}
