import type { Db } from "../../db/port.ts";
import type { ClaimedEmail } from "./claim.ts";
import type { EmailStatus } from "./kinds.ts";

const MAX_ERROR_LENGTH = 500;

// Every update is fenced on (id, attempts): a sender whose lease ran out and whose message another sender
// claimed since (attempts moved on) changes nothing.

/**
 * Records that SendGrid accepted a claimed message. A message the Event Webhook already reported as
 * `sent` (its `processed` event came first) only gets its provider id.
 * @example await markEmailSent(ctx.db, claim, accepted.providerMessageId);
 */
export async function markEmailSent(db: Db, claim: Pick<ClaimedEmail, "id" | "attempt">, providerMessageId: string | null): Promise<void> {
  await db.query(
    `update email_messages
        set status = 'sent', provider_message_id = coalesce($3, provider_message_id), sent_at = coalesce(sent_at, now()),
            last_error = null, next_attempt_at = now(), updated_at = now()
      where id = $1 and attempts = $2 and status in ('sending', 'sent')`,
    [claim.id, claim.attempt, providerMessageId],
  );
}

/**
 * Records a failed attempt: `failed` and due again after `retryInSeconds`, or `dead` once `maxAttempts`
 * attempts were made. Answers the status it set (`undefined` when the claim was no longer this sender's).
 * @example await markEmailFailed(ctx.db, claim, "SendGrid answered 503: …", { maxAttempts: 8, retryInSeconds: 120 });
 */
export async function markEmailFailed(
  db: Db, claim: Pick<ClaimedEmail, "id" | "attempt">, error: string, options: { maxAttempts: number; retryInSeconds: number },
): Promise<EmailStatus | undefined> {
  const [row] = await db.query<{ status: EmailStatus }>(
    `update email_messages
        set status = case when attempts >= $3 then 'dead' else 'failed' end, last_error = $4,
            next_attempt_at = now() + make_interval(secs => $5), updated_at = now()
      where id = $1 and attempts = $2 and status = 'sending'
     returning status`,
    [claim.id, claim.attempt, options.maxAttempts, error.slice(0, MAX_ERROR_LENGTH), options.retryInSeconds],
  );
  return row?.status;
}

/**
 * Gives a claimed message back unsent, without counting the attempt (SendGrid asked us to slow down before
 * we tried it): due again after `retryInSeconds`.
 * @example await releaseEmail(ctx.db, claim, error.retryAfterSeconds ?? 60);
 */
export async function releaseEmail(db: Db, claim: Pick<ClaimedEmail, "id" | "attempt">, retryInSeconds: number): Promise<void> {
  await db.query(
    `update email_messages
        set status = case when attempts = 1 then 'queued' else 'failed' end, attempts = attempts - 1,
            next_attempt_at = now() + make_interval(secs => $3), updated_at = now()
      where id = $1 and attempts = $2 and status = 'sending'`,
    [claim.id, claim.attempt, retryInSeconds],
  );
}
