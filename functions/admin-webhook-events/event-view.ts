/** A stored webhook event as an admin sees it; the payload only when asked for. */
export interface EventView {
  id: string;
  source: string;
  type: string;
  /** The provider's id for it (Stripe `evt_…`, SendGrid `sg_event_id`, …). */
  externalId: string;
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  processedAt: string | null;
  createdAt: string;
  payload?: unknown;
}

export interface EventRow {
  [column: string]: unknown;
  id: string;
  source: string;
  event_type: string;
  external_id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date | null;
  processed_at: Date | null;
  created_at: Date;
  payload?: unknown;
}

/** The columns an EventView is made of (the payload is selected separately, only when asked for). */
export const EVENT_COLUMNS = "e.id, e.source, e.event_type, e.external_id, e.status, e.attempts, e.last_error, e.next_attempt_at, e.processed_at, e.created_at";

export function eventView(row: EventRow): EventView {
  return {
    id: row.id,
    source: row.source,
    type: row.event_type,
    externalId: row.external_id,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    processedAt: row.processed_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    ...("payload" in row ? { payload: row.payload } : {}),
  };
}
