import type { Context } from "../_shared/context.ts";
import type { Job } from "../_shared/http/job-handler.ts";
import type { IntegrationKey } from "../_shared/integrations/catalog.ts";
import { reapplyStoredEvent } from "../_shared/webhooks/reapply.ts";
import type { EffectOf } from "../_shared/webhooks/record-event.ts";
import { WEBHOOK_EFFECTS } from "../webhook-effects.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./backoff.ts";
import { claimDueEvents, countDueUnregistered } from "./claim-due-events.ts";
import { pruneSignatureFailures } from "./prune-signature-failures.ts";
import { recordFailedAttempt } from "./record-failed-attempt.ts";

export interface RetryJobOptions {
  policy: RetryPolicy;
  /** Events claimed per round trip. */
  batchSize: number;
  /** How long a claim hides an event from other instances; longer than any run. */
  leaseSeconds: number;
  /** Stop claiming after this long, leaving the rest to the next run, well inside the function's timeout. */
  budgetMs: number;
  /** Which effects exist, by source (functions/webhook-effects.ts). */
  effects: Partial<Record<IntegrationKey, () => Promise<EffectOf>>>;
  /** 0…1, for the backoff's jitter. */
  random: () => number;
  /** Signature-failure rows past their retention deleted per run, at most (prune-signature-failures.ts). */
  pruneBatchSize: number;
}

export const DEFAULT_RETRY_JOB_OPTIONS: RetryJobOptions = {
  policy: DEFAULT_RETRY_POLICY,
  batchSize: 50,
  leaseSeconds: 300,
  budgetMs: 40_000,
  effects: WEBHOOK_EFFECTS,
  random: Math.random,
  pruneBatchSize: 5_000,
};

/** What one run did; counts only, so it can be logged and returned as is. */
export interface RetrySummary {
  [key: string]: number;
  claimed: number;
  processed: number;
  /** Failed again, scheduled for a later attempt. */
  retryLater: number;
  dead: number;
  /** Held by another worker (a provider redelivery) at that moment: left to it. */
  busy: number;
  /** Processed by a provider redelivery between the claim and the re-apply: nothing to do. */
  alreadyProcessed: number;
  /** Due, but their source has no registered effects here: left as they are. */
  unregistered: number;
  /** `webhook_signature_failures` rows older than 8 days deleted by this run. */
  signatureFailuresPruned: number;
}

/**
 * The retry job: re-applies every due `failed` webhook event through the same effects a first delivery uses
 * (reapplyStoredEvent: row lock, effect and `processed` in one transaction), with exponential backoff and
 * jitter when it fails again, and `dead` after the policy's attempts. Safe to run on two instances at once.
 * Each run also deletes signature-failure rows older than 8 days (a bounded batch).
 * An unreachable database stops the run (DbUnavailableError → 503, or a failed scheduled invocation).
 * @example export const handler = jobHandler("webhook-retry", createRetryJob());
 */
export function createRetryJob(overrides: Partial<RetryJobOptions> = {}): Job {
  const options = { ...DEFAULT_RETRY_JOB_OPTIONS, ...overrides };
  const sources = Object.keys(options.effects) as IntegrationKey[];
  return async (ctx: Context): Promise<RetrySummary> => {
    const summary: RetrySummary = {
      claimed: 0, processed: 0, retryLater: 0, dead: 0, busy: 0, alreadyProcessed: 0, unregistered: 0, signatureFailuresPruned: 0,
    };
    const started = ctx.now();

    // Housekeeping that rides on the every-minute schedule: old failed verifications, one bounded batch.
    summary.signatureFailuresPruned = await pruneSignatureFailures(ctx.db, { now: new Date(started), limit: options.pruneBatchSize });

    for (const { source, count } of await countDueUnregistered(ctx.db, { now: new Date(ctx.now()), sources })) {
      ctx.log.warn("due failed events of a source with no registered effects; left as they are", { source, count });
      summary.unregistered += count;
    }

    const effectsBySource = new Map<IntegrationKey, EffectOf>();
    while (ctx.now() - started < options.budgetMs) {
      const now = new Date(ctx.now());
      const batch = await claimDueEvents(ctx.db, { now, sources, limit: options.batchSize, leaseSeconds: options.leaseSeconds });
      summary.claimed += batch.length;
      for (const event of batch) {
        let effectOf = effectsBySource.get(event.source);
        if (!effectOf) {
          effectOf = await options.effects[event.source]!();
          effectsBySource.set(event.source, effectOf);
        }
        // Still `failed` under the row lock: a provider may have redelivered and processed it since the claim.
        const result = await reapplyStoredEvent(ctx.db, event, effectOf, { onlyIfStatus: ["failed"] });
        const line = { tenantId: event.tenantId, source: event.source, eventId: event.externalId, eventType: event.eventType };
        if (result.outcome === "processed") {
          summary.processed++;
          ctx.log.info("failed event re-applied", { ...line, attempts: event.attempts + 1 });
        } else if (result.outcome === "busy") {
          summary.busy++;
        } else if (result.outcome === "settled") {
          summary.alreadyProcessed++;
        } else {
          const outcome = await recordFailedAttempt(ctx.db, event, result.error, { now: new Date(ctx.now()), policy: options.policy, random: options.random });
          if (outcome.state === "dead") {
            summary.dead++;
            // The error itself is in last_error, for admins: its text may quote event data.
            ctx.log.warn("event dead after its last attempt; an admin can replay it", { ...line, attempts: event.attempts + 1 });
          } else {
            summary.retryLater++;
            ctx.log.warn("failed event failed again; retrying later", { ...line, attempts: event.attempts + 1, nextAttemptAt: outcome.nextAttemptAt.toISOString() });
          }
        }
      }
      if (batch.length < options.batchSize) break;
    }
    return summary;
  };
}
