import { parseIp } from "./client-ip";
import { CorpusNameSchema, DEFAULT_SITE_ID, SiteIdSchema } from "./sites";

/**
 * Headers edge-guard adds when it hands a trapped request to the tarpit over the TARPIT service binding. The
 * tarpit has no route of its own, so only edge-guard can set them: there they are trusted.
 */
export const TARPIT_CLIENT_IP_HEADER = "x-edge-guard-client-ip";
/**
 * The id of the site the request was for (core/sites.ts): the tarpit counts hops and writes its blocks per site.
 * edge-guard always sets it, overwriting a client's copy.
 */
export const TARPIT_SITE_HEADER = "x-edge-guard-site";
/**
 * The Markov corpus of that site (its `corpus` in the sites document), when it names one; edge-guard removes a client's
 * copy otherwise, and the tarpit uses its `MARKOV_CORPUS`.
 */
export const TARPIT_CORPUS_HEADER = "x-edge-guard-corpus";
/** edge-guard's score for the request, a number. */
export const TARPIT_SCORE_HEADER = "x-edge-guard-score";
/**
 * "1": this request is not the client's own step deeper into the maze (another site sent its browser here), so
 * the tarpit does not count it as a hop. edge-guard always sets or removes it, never passing on a client's copy.
 */
export const TARPIT_NO_HOP_HEADER = "x-edge-guard-no-hop";

/** What edge-guard tells the tarpit about one trapped request. */
export interface TarpitHandoff {
  /** The client, as edge-guard identified it; null when the headers name no address. */
  readonly client: TarpitClient | null;
  /** The site's corpus; null: the deployment's `MARKOV_CORPUS`. */
  readonly corpus: string | null;
  /** Whether the request counts as a hop (false: another site sent the browser here). */
  readonly hop: boolean;
}

/** The client a trapped request came from. */
export interface TarpitClient {
  readonly ip: string;
  readonly edgeScore: number | null;
  /** The site the request was for (the default site when absent). */
  readonly site: string;
}

/** The header operations the handoff needs (a `Headers`). */
interface HeaderWriter {
  set(name: string, value: string): void;
  delete(name: string): void;
}

/** edge-guard's side: sets every handoff header, overwriting or removing whatever the client sent of them. */
export function writeTarpitHandoff(
  headers: HeaderWriter,
  h: { readonly ip: string; readonly site: string; readonly corpus: string | null; readonly score: number; readonly hop: boolean },
): void {
  headers.set(TARPIT_CLIENT_IP_HEADER, h.ip);
  headers.set(TARPIT_SITE_HEADER, h.site);
  if (h.corpus === null) headers.delete(TARPIT_CORPUS_HEADER);
  else headers.set(TARPIT_CORPUS_HEADER, h.corpus);
  headers.set(TARPIT_SCORE_HEADER, String(h.score));
  if (h.hop) headers.delete(TARPIT_NO_HOP_HEADER);
  else headers.set(TARPIT_NO_HOP_HEADER, "1");
}

/**
 * The tarpit's side. Tolerant of an older edge: no client-IP header falls back to CF-Connecting-IP, no site header to
 * the default site; a malformed site or corpus is the default site or the deployment's corpus, a malformed score none.
 */
export function readTarpitHandoff(get: (name: string) => string | null): TarpitHandoff {
  const ip = parseIp(get(TARPIT_CLIENT_IP_HEADER) ?? get("cf-connecting-ip") ?? "");
  const score = Number(get(TARPIT_SCORE_HEADER) ?? Number.NaN);
  const site = SiteIdSchema.safeParse(get(TARPIT_SITE_HEADER) ?? DEFAULT_SITE_ID);
  const corpus = CorpusNameSchema.safeParse(get(TARPIT_CORPUS_HEADER));
  return {
    client: ip === null ? null : { ip, edgeScore: Number.isFinite(score) ? score : null, site: site.success ? site.data : DEFAULT_SITE_ID },
    corpus: corpus.success ? corpus.data : null,
    hop: get(TARPIT_NO_HOP_HEADER) !== "1",
  };
}
