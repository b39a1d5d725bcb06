/**
 * Paths that belong to the tarpit's labyrinth. No human link points here (only the maze and, later, hidden
 * honeypot links), and the managed robots.txt disallows the prefix, so well-behaved crawlers never enter.
 */
export const TRAP_PATH_PREFIX = "/archive/";

/** True when a path is inside the labyrinth. */
export function isTrapPath(path: string): boolean {
  return path.startsWith(TRAP_PATH_PREFIX);
}
