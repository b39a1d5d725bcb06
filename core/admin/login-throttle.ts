/** How long failed logins count against a user or an address. */
export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Failed logins per account per window: a guessing attacker gets this many tries per 15 minutes. */
export const LOGIN_MAX_FAILURES_PER_USER = 5;
/** Failed logins per client address per window, across all names (spraying one password over many names). */
export const LOGIN_MAX_FAILURES_PER_IP = 20;

/** Failures counted in the window, for the account named and for the client's address. */
export interface LoginFailures {
  readonly user: number;
  readonly ip: number;
  /** Epoch ms of the oldest failure still counted for whichever limit is reached (for Retry-After). */
  readonly oldestAt: number | null;
}

/** Whether another attempt may be checked now; when not, how many seconds until the oldest failure leaves the window. */
export function loginAllowed(failures: LoginFailures, nowMs: number): { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number } {
  if (failures.user < LOGIN_MAX_FAILURES_PER_USER && failures.ip < LOGIN_MAX_FAILURES_PER_IP) return { allowed: true };
  const oldest = failures.oldestAt ?? nowMs;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + LOGIN_WINDOW_MS - nowMs) / 1000)) };
}
