/**
 * Headers edge-guard adds when it hands a trapped request to the tarpit over the TARPIT service binding. The
 * tarpit has no route of its own, so only edge-guard can set them: there they are trusted.
 */
export const TARPIT_CLIENT_IP_HEADER = "x-edge-guard-client-ip";
/** edge-guard's score for the request, a number. */
export const TARPIT_SCORE_HEADER = "x-edge-guard-score";
