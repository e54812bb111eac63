/** How the retry job spaces out attempts at a failed event, and when it gives up. */
export interface RetryPolicy {
  /** Attempts (the first delivery included) after which an event is `dead`. */
  maxAttempts: number;
  /** Delay after the first failure; each further failure doubles it. */
  baseDelaySeconds: number;
  maxDelaySeconds: number;
}

/**
 * Ten attempts over about eight and a half hours (1, 2, 4 … 256 minutes apart): long enough to ride out a
 * deploy or a provider-side incident, short enough that an admin sees a dead event the same day.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 10, baseDelaySeconds: 60, maxDelaySeconds: 6 * 3600 };

/**
 * Seconds until the next attempt after `attempts` failed ones: exponential, capped, with "equal jitter"
 * (half the delay fixed, half random) so events that failed together — a bad deploy, an outage — do not
 * all come back in the same second.
 * @example retryDelaySeconds(3, DEFAULT_RETRY_POLICY, Math.random) // between 120 and 240
 */
export function retryDelaySeconds(attempts: number, policy: RetryPolicy, random: () => number): number {
  const exponent = Math.max(0, attempts - 1);
  const delay = Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** Math.min(exponent, 30));
  return Math.round(delay / 2 + (delay / 2) * random());
}
