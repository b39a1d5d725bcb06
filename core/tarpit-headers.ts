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
