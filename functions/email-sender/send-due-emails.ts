import type { Context } from "../_shared/context.ts";
import { VaultError } from "../_shared/crypto/vault.ts";
import { DbUnavailableError } from "../_shared/db/port.ts";
import { retryDelaySeconds } from "../_shared/domain/email/backoff.ts";
import { claimDueEmails, type ClaimedEmail } from "../_shared/domain/email/claim.ts";
import { markEmailFailed, markEmailSent, releaseEmail } from "../_shared/domain/email/outcome.ts";
import { openEmailData } from "../_shared/domain/email/sealed-data.ts";
import type { Job } from "../_shared/http/job-handler.ts";
import { SendGridError } from "../_shared/providers/sendgrid/errors.ts";
import { mailSendBody } from "../_shared/providers/sendgrid/mail-body.ts";
import { sendMail } from "../_shared/providers/sendgrid/send-mail.ts";
import { SendGridSetupError } from "../_shared/providers/sendgrid/setup-error.ts";
import { openTenantSendGrid, type TenantSendGrid } from "../_shared/providers/sendgrid/tenant-sendgrid.ts";

export interface EmailSenderOptions {
  /** Messages claimed at a time. */
  batchSize: number;
  /** How long a claim holds: longer than the function may run (60 s), so only a dead sender's claims lapse. */
  leaseSeconds: number;
  /** Attempts before a message is `dead`. */
  maxAttempts: number;
  /** Messages sent at once. */
  concurrency: number;
  /** No new batch is claimed after this long: with SendGrid's 10 s timeout the run ends well inside 60 s. */
  timeBudgetMs: number;
  /** For the backoff's jitter. */
  random: () => number;
}

export const EMAIL_SENDER_DEFAULTS: EmailSenderOptions = {
  batchSize: 20, leaseSeconds: 300, maxAttempts: 8, concurrency: 4, timeBudgetMs: 30_000, random: Math.random,
};

/** What one run did; the job's answer and log line. */
interface SenderSummary {
  [key: string]: number;
  claimed: number;
  sent: number;
  failed: number;
  dead: number;
  deferred: number;
  /** Ended as `suppressed`: the address is on the tenant's suppression list for the message's kind. */
  suppressed: number;
}

interface Failure {
  reason: string;
  code?: string;
  /** SendGrid rate-limited the tenant: wait this long before its next message. */
  retryAfterSeconds?: number;
}

const STOPPED_MID_SEND = "a sender stopped during the last attempt; no answer from SendGrid was recorded";

/** Why an attempt failed, for `last_error` and admins: SendGrid's words or the setting to fix, never a key. */
function failureReason(error: unknown): string {
  if (error instanceof SendGridError || error instanceof SendGridSetupError) return error.message;
  if (error instanceof VaultError) return `${error.code}: the stored credentials or template data could not be opened`;
  return `unexpected ${(error as { name?: string } | null)?.name ?? "error"}`;
}

async function forEachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * The email-sender job: claims due messages (see claimDueEmails; the claim itself ends those to a suppressed
 * address as `suppressed`), and sends the others through their tenant's SendGrid, then records
 * `sent`, or `failed` with an exponential, jittered backoff, or `dead` after `maxAttempts`. A tenant SendGrid rate-limits is left alone for the rest of the run: its other claimed
 * messages are given back without counting an attempt. Two senders never send one message twice; a sender
 * that dies between SendGrid's answer and recording it leaves a message that is sent again once its lease
 * ends — unless SendGrid's `processed` event has marked it sent first.
 * @example export const handler = jobHandler("email-sender", createEmailSender());
 */
export function createEmailSender(overrides: Partial<EmailSenderOptions> = {}): Job {
  const options = { ...EMAIL_SENDER_DEFAULTS, ...overrides };
  return async (ctx: Context) => {
    const started = ctx.now();
    const summary: SenderSummary = { claimed: 0, sent: 0, failed: 0, dead: 0, deferred: 0, suppressed: 0 };
    const tenants = new Map<string, Promise<TenantSendGrid>>();
    const throttledFor = new Map<string, number>();
    const tenantOf = (tenantId: string) => {
      let tenant = tenants.get(tenantId);
      if (!tenant) {
        tenant = openTenantSendGrid(ctx, tenantId);
        tenant.catch(() => {}); // awaited by each message; its failure is each message's failure
        tenants.set(tenantId, tenant);
      }
      return tenant;
    };

    /** Sends one claimed message; answers why it failed, or nothing once it is recorded as sent. */
    const attemptSend = async (claim: ClaimedEmail): Promise<Failure | undefined> => {
      if (claim.attempt > options.maxAttempts) return { reason: STOPPED_MID_SEND };
      try {
        const { account, settings } = await tenantOf(claim.tenantId);
        const data = await openEmailData(ctx.vault, claim.tenantId, claim.data);
        const to = { email: claim.toEmail, name: claim.toName };
        const accepted = await sendMail(account, mailSendBody({ id: claim.id, tenantId: claim.tenantId, kind: claim.kind, to, data }, settings));
        await markEmailSent(ctx.db, claim, accepted.providerMessageId);
        ctx.log.info("email sent", { tenantId: claim.tenantId, messageId: claim.id, kind: claim.kind, attempt: claim.attempt, sandbox: accepted.sandbox });
        return undefined;
      } catch (error) {
        if (error instanceof DbUnavailableError) throw error;
        const code = (error as { code?: unknown } | null)?.code;
        const rateLimited = error instanceof SendGridError && error.code === "sendgrid_rate_limited";
        return {
          reason: failureReason(error),
          ...(typeof code === "string" ? { code } : {}),
          ...(rateLimited ? { retryAfterSeconds: error.retryAfterSeconds ?? 60 } : {}),
        };
      }
    };

    const sendOne = async (claim: ClaimedEmail): Promise<void> => {
      const line = { tenantId: claim.tenantId, messageId: claim.id, kind: claim.kind, attempt: claim.attempt };
      const throttled = throttledFor.get(claim.tenantId);
      if (throttled !== undefined) {
        await releaseEmail(ctx.db, claim, throttled);
        summary.deferred++;
        return;
      }
      const failure = await attemptSend(claim);
      if (!failure) {
        summary.sent++;
        return;
      }
      let retryInSeconds = retryDelaySeconds(claim.attempt, options.random);
      if (failure.retryAfterSeconds !== undefined) {
        throttledFor.set(claim.tenantId, failure.retryAfterSeconds);
        retryInSeconds = Math.max(retryInSeconds, failure.retryAfterSeconds);
      }
      const status = await markEmailFailed(ctx.db, claim, failure.reason, { maxAttempts: options.maxAttempts, retryInSeconds });
      if (status === "dead") {
        summary.dead++;
        ctx.log.error("email dead after its last attempt", { ...line, code: failure.code });
      } else if (status === "failed") {
        summary.failed++;
        ctx.log.warn("email attempt failed; will retry", { ...line, code: failure.code, retryInSeconds });
      }
    };

    let claimed: number;
    do {
      const batch = await claimDueEmails(ctx.db, { limit: options.batchSize, leaseSeconds: options.leaseSeconds });
      // Suppressed ones were claimed too (and their attempt counted): a full batch may hold more behind it.
      claimed = batch.toSend.length + batch.suppressed.length;
      summary.claimed += claimed;
      summary.suppressed += batch.suppressed.length;
      for (const { id, tenantId, kind, attempt, reason } of batch.suppressed) {
        ctx.log.info("email suppressed: not sent", { tenantId, messageId: id, kind, attempt, reason });
      }
      await forEachConcurrently(batch.toSend, options.concurrency, sendOne);
    } while (claimed === options.batchSize && ctx.now() - started < options.timeBudgetMs);
    return summary;
  };
}
