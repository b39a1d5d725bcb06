/** One problem in a policy document: where (e.g. `rules[2].match.userAgent`; empty for the document) and what. */
export interface PolicyIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Splits `compilePolicy`'s operator text (zod's prettified form: `✖ message` then `  → at path`) into issues, so
 * an editor can put each message next to its field. Text in another form becomes one issue without a path.
 */
export function policyIssues(errorText: string): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  for (const line of errorText.split("\n")) {
    const trimmed = line.trim();
    if (trimmed.startsWith("✖")) issues.push({ path: "", message: trimmed.slice(1).trim() });
    else if (trimmed.startsWith("→ at ") && issues.length > 0) {
      const last = issues.pop();
      if (last !== undefined) issues.push({ ...last, path: trimmed.slice("→ at ".length) });
    } else if (trimmed !== "" && issues.length > 0) {
      const last = issues.pop();
      if (last !== undefined) issues.push({ ...last, message: `${last.message} ${trimmed}` });
    }
  }
  return issues.length > 0 ? issues : [{ path: "", message: errorText }];
}
