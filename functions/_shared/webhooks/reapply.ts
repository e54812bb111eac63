import { DbUnavailableError, type Db } from "../db/port.ts";
import { sql } from "../db/sql.ts";
import type { EffectOf } from "./record-event.ts";

/** A stored webhook event, as the retry job and an admin's replay read it back. */
export interface StoredEvent {
  id: string;
  tenantId: string;
  externalId: string;
  eventType: string;
  payload: unknown;
}

export type ReapplyOutcome =
  | { outcome: "processed" }
  | { outcome: "failed"; error: string }
  /** Another worker holds the row right now. */
  | { outcome: "busy" }
  /** The row's status, read under the lock, is not one the caller asked for (see `onlyIfStatus`). */
  | { outcome: "settled" };

const MAX_ERROR_LENGTH = 500;

/**
 * Applies a stored event's effect again, through the same effects a first delivery uses, and marks the
 * event `processed` in the same transaction. Effects are upserts guarded by rank and event time, so
 * re-applying an event already applied changes nothing (an admin's replay of a processed event is safe).
 * The row is locked first: an event another worker is re-applying right now is left alone ("busy").
 * `onlyIfStatus` re-applies only an event still in one of those statuses once its row is locked: the retry job
 * passes `["failed"]`, so an event a provider redelivered and processed since the claim is not applied twice.
 * On failure nothing of the effect is kept and the caller decides the event's next state (backoff, dead);
 * an unreachable database throws DbUnavailableError instead.
 * @example const result = await reapplyStoredEvent(db, event, effectOf);
 */
export async function reapplyStoredEvent(
  db: Db, event: StoredEvent, effectOf: EffectOf, options: { onlyIfStatus?: readonly string[] } = {},
): Promise<ReapplyOutcome> {
  try {
    return await db.transaction(async (tx): Promise<ReapplyOutcome> => {
      const [locked] = await tx.query<{ status: string }>(
        "select status from webhook_events where id = $1 for update skip locked", [event.id],
      );
      if (!locked) return { outcome: "busy" };
      if (options.onlyIfStatus && !options.onlyIfStatus.includes(locked.status)) return { outcome: "settled" };
      const effect = effectOf(event.tenantId, { externalId: event.externalId, eventType: event.eventType, payload: event.payload });
      if (effect && "statements" in effect) {
        for (const statement of effect.statements(sql`true`)) await tx.query(statement.text, statement.values);
      } else if (effect) {
        await effect.apply(tx);
      }
      await tx.query(
        `update webhook_events set status = 'processed', attempts = attempts + 1, processed_at = now(),
                last_error = null, next_attempt_at = null
          where id = $1`,
        [event.id],
      );
      return { outcome: "processed" };
    });
  } catch (error) {
    if (error instanceof DbUnavailableError) throw error; // Not the event's fault: no attempt is counted.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { outcome: "failed", error: message.slice(0, MAX_ERROR_LENGTH) };
  }
}
