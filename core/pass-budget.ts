import type { SolveMethod } from "./challenge";

/** Pages counted against a pass's budget, over the windows a budget names. */
export interface PassPageCounts {
  readonly m1: number;
  readonly m10: number;
  readonly h1: number;
}

/** How many pages a pass holder may read: fitting a person reading, not a machine. */
export interface PassBudget {
  readonly perMinute: number;
  readonly per10Minutes: number;
  readonly perHour: number;
}

/**
 * Budgets by how the pass was earned. A JavaScript proof or Turnstile: a fast reader opening a few tabs stays
 * inside. No-JS (a form and a wait, which any script can do): a smaller budget.
 */
export const PASS_BUDGETS: Readonly<Record<SolveMethod, PassBudget>> = {
  pow: { perMinute: 12, per10Minutes: 60, perHour: 200 },
  turnstile: { perMinute: 12, per10Minutes: 60, perHour: 200 },
  nojs: { perMinute: 10, per10Minutes: 10, perHour: 30 },
};

/** No-JS passes issued per hour, across isolates, per header-fingerprint group and per network prefix. */
export const NOJS_PASSES_PER_HOUR = { group: 2, prefix: 2 } as const;

/** Which budget window a pass holder went past, or null while inside. `hour` is machine pace: a bot label. */
export type BudgetOverrun = "minute" | "10-minutes" | "hour";

/** The first window whose budget the counts (this page included) exceed, or null. */
export function budgetOverrun(counts: PassPageCounts, budget: PassBudget): BudgetOverrun | null {
  if (counts.h1 > budget.perHour) return "hour";
  if (counts.m10 > budget.per10Minutes) return "10-minutes";
  if (counts.m1 > budget.perMinute) return "minute";
  return null;
}

/** Seconds until a pass holder over `overrun` may read again (the window's length: the Retry-After to send). */
export function budgetRetryAfterS(overrun: BudgetOverrun): number {
  return overrun === "minute" ? 60 : overrun === "10-minutes" ? 600 : 3600;
}
