import { fail, ok, type Result } from "../result";
import { blocklistKeyOf, parseTarget, targetText, type BlockTarget } from "./block-target";
import { checkBlockTarget, type SafetyContext } from "./safety";

/** Most lines one import reads (comments included). */
export const MAX_IMPORT_LINES = 5000;
/** Most entries one import writes: each costs a KV read (old value, for the audit) and a write, and a Worker invocation gets 1000 KV operations. */
export const MAX_IMPORT_TARGETS = 400;

/** A line the import refused, with its 1-based number and why. */
export interface RefusedLine {
  readonly line: number;
  readonly text: string;
  readonly error: string;
}

/** The outcome of parsing an import: targets to write (deduplicated, in file order) and lines refused. */
export interface ImportPlan {
  readonly targets: readonly BlockTarget[];
  readonly refused: readonly RefusedLine[];
}

/**
 * Parses a plain import: one IP, CIDR or `AS<n>` per line; blank lines and `#` comments are skipped, and text
 * after `#` on a line is a comment. Every target passes `checkBlockTarget`; refused lines are reported, not fatal.
 */
export function planImport(text: string, ctx: SafetyContext): Result<ImportPlan, string> {
  const lines = text.split(/\r?\n/);
  if (lines.length > MAX_IMPORT_LINES) return fail(`too many lines (${lines.length}); at most ${MAX_IMPORT_LINES} per import`);
  const targets: BlockTarget[] = [];
  const refused: RefusedLine[] = [];
  const seen = new Set<string>();
  lines.forEach((raw, i) => {
    const value = raw.replace(/#.*$/, "").trim();
    if (value === "") return;
    const parsed = parseTarget(value);
    const checked = parsed.ok ? checkBlockTarget(parsed.value, ctx) : parsed;
    if (!checked.ok) {
      refused.push({ line: i + 1, text: value.slice(0, 100), error: checked.error });
      return;
    }
    const key = blocklistKeyOf(checked.value);
    if (seen.has(key)) return;
    seen.add(key);
    targets.push(checked.value);
  });
  if (targets.length > MAX_IMPORT_TARGETS)
    return fail(`too many entries (${targets.length}); at most ${MAX_IMPORT_TARGETS} per import, split the file`);
  return ok({ targets, refused });
}

/** The export format, which `planImport` reads back: one target per line, sorted for stable diffs. */
export function formatExport(targets: readonly BlockTarget[]): string {
  const lines = targets.map(targetText).sort();
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
