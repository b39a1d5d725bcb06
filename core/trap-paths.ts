/**
 * Paths that belong to the tarpit's labyrinth. No human link points here (only the maze and, later, hidden
 * honeypot links), and the managed robots.txt disallows the prefix, so well-behaved crawlers never enter.
 */
export const TRAP_PATH_PREFIX = "/archive/";

/** True when a path is inside the labyrinth. */
export function isTrapPath(path: string): boolean {
  return path.startsWith(TRAP_PATH_PREFIX);
}

/** Signal code of a request into the trap carrying the hidden link served to this very client: it labels. */
export const HONEYPOT_OWN_SIGNAL = "honeypot-own";
/** Signal code of a trap request carrying a hidden link served to the same User-Agent on another network. */
export const HONEYPOT_FOREIGN_SIGNAL = "honeypot-foreign";

/**
 * Reasons that only say "this client is in or near the trap". A honeypot label and its consequences keep a
 * client in the labyrinth; blocking it takes evidence of some other kind (core/escalation-verdict.ts).
 */
export const TRAP_SIGNALS: ReadonlySet<string> = new Set(["trap-path", "honeypot-hit", HONEYPOT_OWN_SIGNAL, HONEYPOT_FOREIGN_SIGNAL, "tarpit-visitor"]);
