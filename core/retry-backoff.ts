/** First redelivery delay of a report escalation could not store, seconds. */
export const FIRST_RETRY_DELAY_S = 5;
/** Longest redelivery delay, seconds: with max_retries = 10 the retries span about 50 minutes of Postgres outage. */
export const MAX_RETRY_DELAY_S = 900;

/**
 * Seconds to wait before a message delivered `attempts` times (1 = first delivery) is tried again: doubling from
 * FIRST_RETRY_DELAY_S up to MAX_RETRY_DELAY_S, so an outage longer than a few seconds does not exhaust the retries.
 */
export function retryDelayS(attempts: number): number {
  const n = Number.isFinite(attempts) ? Math.max(1, Math.floor(attempts)) : 1;
  return Math.min(MAX_RETRY_DELAY_S, FIRST_RETRY_DELAY_S * 2 ** Math.min(n - 1, 20));
}
