/** How long failed logins count against an account, an address, or the two together. */
export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Attempts at one account from one address per window: a guesser gets this many tries per 15 minutes. */
export const LOGIN_MAX_FAILURES_PER_USER = 5;
/** Attempts from one client address per window, across all names (spraying one password over many names). */
export const LOGIN_MAX_FAILURES_PER_IP = 20;
/**
 * Failures at one account from all addresses after which every attempt at it is delayed. Account-wide failures
 * only ever slow logins down: refusing them would let anyone lock the real admin out by guessing from a few addresses.
 */
export const LOGIN_ACCOUNT_SLOW_AFTER = 5;
/** The first account-wide delay; it doubles with each further failure, up to LOGIN_ACCOUNT_MAX_DELAY_MS. */
export const LOGIN_ACCOUNT_BASE_DELAY_MS = 500;
export const LOGIN_ACCOUNT_MAX_DELAY_MS = 8_000;

/** Attempts counted in the window (not counting the one being decided). */
export interface LoginFailures {
  /** At this account from this address. */
  readonly pair: number;
  /** From this address, at any account. */
  readonly ip: number;
  /** At this account, from any address. */
  readonly account: number;
  /** Epoch ms of the oldest attempt still counted for whichever hard limit is reached (for Retry-After). */
  readonly oldestAt: number | null;
}

/** The gate's answer: refused with a Retry-After, or allowed after `delayMs` (0: at once). */
export type LoginGate =
  | { readonly allowed: true; readonly delayMs: number; readonly last: boolean }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * Whether another attempt may be checked now. Hard limits are per address (alone and with the account); the
 * account-wide count only adds a delay. `last`: this attempt uses up a hard limit (a lockout starts if it fails).
 */
export function loginAllowed(failures: LoginFailures, nowMs: number): LoginGate {
  if (failures.pair < LOGIN_MAX_FAILURES_PER_USER && failures.ip < LOGIN_MAX_FAILURES_PER_IP) {
    const over = failures.account - LOGIN_ACCOUNT_SLOW_AFTER;
    const delayMs = over < 0 ? 0 : Math.min(LOGIN_ACCOUNT_MAX_DELAY_MS, LOGIN_ACCOUNT_BASE_DELAY_MS * 2 ** Math.min(over, 16));
    const last = failures.pair + 1 === LOGIN_MAX_FAILURES_PER_USER || failures.ip + 1 === LOGIN_MAX_FAILURES_PER_IP;
    return { allowed: true, delayMs, last };
  }
  const oldest = failures.oldestAt ?? nowMs;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + LOGIN_WINDOW_MS - nowMs) / 1000)) };
}
