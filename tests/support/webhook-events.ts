import type { Db } from "../../functions/_shared/db/port.ts";
import type { StoredEvent } from "../../functions/_shared/webhooks/reapply.ts";

/** What a webhook_events row holds for the retry job's tests. */
export interface EventRow {
  status: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date | null;
}

/**
 * A provider event stored as `failed`, as the webhook leaves one whose effect threw: due at `nextAttemptAt`
 * (default: a minute ago) after `attempts` attempts.
 */
export async function insertFailedEvent(
  db: Db,
  tenantId: string,
  event: { id: string; type: string; [key: string]: unknown },
  options: { source?: string; attempts?: number; nextAttemptAt?: Date; status?: "failed" | "dead" } = {},
): Promise<StoredEvent> {
  const [row] = await db.query<{ id: string }>(
    `insert into webhook_events (tenant_id, source, event_type, external_id, payload, status, attempts, last_error, next_attempt_at)
     values ($1, $2, $3, $4, $5::jsonb, $6, $7, 'Error: simulated failure', $8::timestamptz) returning id`,
    [
      tenantId, options.source ?? "stripe", event.type, event.id, JSON.stringify(event), options.status ?? "failed",
      options.attempts ?? 1, (options.nextAttemptAt ?? new Date(Date.now() - 60_000)).toISOString(),
    ],
  );
  return { id: row!.id, tenantId, externalId: event.id, eventType: event.type, payload: event };
}

export async function eventRow(db: Db, id: string): Promise<EventRow> {
  const [row] = await db.query<EventRow & Record<string, unknown>>(
    "select status, attempts, last_error, next_attempt_at from webhook_events where id = $1", [id],
  );
  return row!;
}
