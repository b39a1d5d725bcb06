import { parseTarget, targetText, type BlockTarget } from "../admin/block-target";
import { fail, ok, type Result } from "../result";
import type { FeedEntry } from "./feed";

/** Most lines one plain list may have (comments included). */
export const MAX_LIST_LINES = 100_000;

/** A usable line of a plain list: its 1-based number and what it names. */
export interface ListLine {
  readonly line: number;
  readonly target: BlockTarget;
}

/** A line that is neither blank, a comment, nor an address, network or AS number. */
export interface BadLine {
  readonly line: number;
  readonly text: string;
  readonly error: string;
}

/**
 * Parses a community blocklist: one IP, CIDR or `AS<n>` per line. Blank lines and comments (`#`, `;`, `//`, also
 * after an entry, as in Spamhaus DROP) are skipped; only the first field counts (`1.2.3.4<TAB>7`, as in ipsum).
 * Bad lines are reported with their numbers, not fatal; only an over-long list fails as a whole.
 */
export function parseBlocklistText(text: string): Result<{ lines: ListLine[]; bad: BadLine[] }, string> {
  const raw = text.split(/\r?\n/);
  if (raw.length > MAX_LIST_LINES) return fail(`too many lines (${raw.length}); at most ${MAX_LIST_LINES}`);
  const lines: ListLine[] = [];
  const bad: BadLine[] = [];
  raw.forEach((content, i) => {
    const value =
      content
        .replace(/(#|;|\/\/).*$/, "")
        .trim()
        .split(/[\s,]+/)[0] ?? "";
    if (value === "") return;
    const target = parseTarget(value);
    if (target.ok) lines.push({ line: i + 1, target: target.value });
    else bad.push({ line: i + 1, text: content.trim().slice(0, 100), error: target.error });
  });
  return ok({ lines, bad });
}

/** A list line as a feed entry, so it goes through the same `vetEntries` as a peer's: the list vouches for it at `confidence`. */
export function listEntry(line: ListLine, reason: string, confidence: number, now: number, ttlSeconds: number): FeedEntry {
  const scope = line.target.kind;
  return { scope, value: targetText(line.target), reason, confidence, firstSeen: now, lastSeen: now, expiresAt: now + ttlSeconds * 1000 };
}
