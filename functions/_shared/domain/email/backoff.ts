/** The first retry waits about a minute; each further one twice as long, up to six hours. */
const BASE_SECONDS = 60;
const MAX_SECONDS = 6 * 3600;

/**
 * How long to wait before attempt `attempt + 1` after attempt `attempt` (1-based) failed: exponential
 * (60 s, 120 s, 240 s…, at most 6 h) with "equal jitter" — a random point in the upper half — so messages
 * that failed together (SendGrid down for a minute) do not all come back in the same second.
 * @example retryDelaySeconds(3) // between 120 and 240
 */
export function retryDelaySeconds(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_SECONDS, BASE_SECONDS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
