import { DbUnavailableError, type Db } from "../db/port.ts";
import type { IntegrationKey } from "../integrations/catalog.ts";

/** A verified provider event, before storage. */
export interface IncomingEvent {
  /** The provider's idempotency key for it (Stripe `event.id`, SendGrid `sg_event_id`, …). */
  externalId: string;
  eventType: string;
  payload: unknown;
  /** `payload` as JSON text when the caller already has it (the verified body), to skip re-serializing it. */
  payloadJson?: string;
}

/** Applies an event's effect inside the transaction that stores it. Throwing marks the event `failed`. */
export type ApplyEvent = (tx: Db, tenantId: string, event: IncomingEvent) => Promise<void>;

export type RecordOutcome = "processed" | "duplicate" | "failed";

const MAX_ERROR_LENGTH = 500;
/** First retry of a failed event; the retry job backs off from there. */
const FIRST_RETRY_DELAY = "1 minute";

/**
 * Stores an event exactly once and applies it in the same transaction, so an event is either stored and
 * applied, or (when applying throws) stored as `failed` for the retry job — never applied twice and never
 * lost. A redelivery of an event already processed does nothing ("duplicate"); one of an event that
 * failed tries again. `DbUnavailableError` propagates: nothing was written, so the caller answers 503.
 * @example const outcome = await recordAndApply(db, tenantId, "stripe", event, applyStripeEvent);
 */
export async function recordAndApply(
  db: Db, tenantId: string, source: IntegrationKey, event: IncomingEvent, apply: ApplyEvent,
): Promise<{ outcome: RecordOutcome; error?: string }> {
  const values = [tenantId, source, event.eventType, event.externalId, event.payloadJson ?? JSON.stringify(event.payload)];
  try {
    return await db.transaction(async (tx) => {
      const stored = await tx.query(
        `insert into webhook_events (tenant_id, source, event_type, external_id, payload, status, attempts, processed_at)
         values ($1, $2, $3, $4, $5::jsonb, 'processed', 1, now())
         on conflict (tenant_id, source, external_id) do update
           set status = 'processed', attempts = webhook_events.attempts + 1, processed_at = now(),
               last_error = null, next_attempt_at = null
           where webhook_events.status in ('failed', 'dead')
         returning id`,
        values,
      );
      if (stored.length === 0) return { outcome: "duplicate" as const };
      await apply(tx, tenantId, event);
      return { outcome: "processed" as const };
    });
  } catch (error) {
    if (error instanceof DbUnavailableError) throw error;
    const message = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, MAX_ERROR_LENGTH);
    await db.query(
      `insert into webhook_events (tenant_id, source, event_type, external_id, payload, status, attempts, last_error, next_attempt_at)
       values ($1, $2, $3, $4, $5::jsonb, 'failed', 1, $6, now() + interval '${FIRST_RETRY_DELAY}')
       on conflict (tenant_id, source, external_id) do update
         set status = 'failed', attempts = webhook_events.attempts + 1, last_error = excluded.last_error,
             next_attempt_at = excluded.next_attempt_at
         where webhook_events.status in ('failed', 'dead')`,
      [...values, message],
    );
    return { outcome: "failed", error: message };
  }
}
