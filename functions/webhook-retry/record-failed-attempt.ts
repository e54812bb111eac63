import type { Db } from "../_shared/db/port.ts";
import { retryDelaySeconds, type RetryPolicy } from "./backoff.ts";
import type { ClaimedEvent } from "./claim-due-events.ts";

export type FailedAttemptOutcome = { state: "failed"; nextAttemptAt: Date } | { state: "dead" };

/**
 * Counts one more failed attempt at `event`: it is tried again after the policy's backoff, or — once it has
 * had `maxAttempts` — it becomes `dead`: no longer retried, listed for admins, who can replay it. Only a
 * still-failed row changes: if a provider redelivery processed it meanwhile, that outcome stands.
 * @example await recordFailedAttempt(db, event, error, { now, policy, random: Math.random });
 */
export async function recordFailedAttempt(
  db: Db, event: ClaimedEvent, error: string, options: { now: Date; policy: RetryPolicy; random: () => number },
): Promise<FailedAttemptOutcome> {
  const attempts = event.attempts + 1;
  if (attempts >= options.policy.maxAttempts) {
    await db.query(
      `update webhook_events set status = 'dead', attempts = attempts + 1, last_error = $2, next_attempt_at = null
        where id = $1 and status = 'failed'`,
      [event.id, error],
    );
    return { state: "dead" };
  }
  const nextAttemptAt = new Date(options.now.getTime() + retryDelaySeconds(attempts, options.policy, options.random) * 1000);
  await db.query(
    `update webhook_events set attempts = attempts + 1, last_error = $2, next_attempt_at = $3::timestamptz
      where id = $1 and status = 'failed'`,
    [event.id, error, nextAttemptAt.toISOString()],
  );
  return { state: "failed", nextAttemptAt };
}
