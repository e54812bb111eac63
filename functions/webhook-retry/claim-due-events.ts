import type { Db } from "../_shared/db/port.ts";
import type { IntegrationKey } from "../_shared/integrations/catalog.ts";
import type { StoredEvent } from "../_shared/webhooks/reapply.ts";

/** A failed event this run of the job has taken on. */
export interface ClaimedEvent extends StoredEvent {
  source: IntegrationKey;
  /** Attempts so far (the first delivery's included). */
  attempts: number;
}

interface ClaimedRow {
  [column: string]: unknown;
  id: string;
  tenant_id: string;
  source: IntegrationKey;
  event_type: string;
  external_id: string;
  payload: unknown;
  attempts: number;
}

/**
 * Takes up to `limit` failed events that are due, oldest due first, for `sources` only, and pushes their
 * `next_attempt_at` out by a lease. `FOR UPDATE SKIP LOCKED` lets two instances claim at the same moment
 * without waiting on or taking each other's rows, and once a claim commits the lease hides its rows from
 * the next one: two jobs never re-apply the same event. Should this run die, the lease runs out and a
 * later run takes the event again.
 * @example const batch = await claimDueEvents(db, { now, sources: ["stripe"], limit: 50, leaseSeconds: 300 });
 */
export async function claimDueEvents(
  db: Db, options: { now: Date; sources: readonly IntegrationKey[]; limit: number; leaseSeconds: number },
): Promise<ClaimedEvent[]> {
  if (options.sources.length === 0) return [];
  const leaseUntil = new Date(options.now.getTime() + options.leaseSeconds * 1000);
  const rows = await db.query<ClaimedRow>(
    // A CTE, not `id in (subquery)`: the planner may run an IN subquery again for each row it updates,
    // and LIMIT would then not bound the claim.
    `with due as (
       select id from webhook_events
        where status = 'failed' and next_attempt_at <= $1::timestamptz
          and source = any(string_to_array($2, ','))
        order by next_attempt_at
        limit $3
        for update skip locked
     )
     update webhook_events e set next_attempt_at = $4::timestamptz
       from due where e.id = due.id
     returning e.id, e.tenant_id, e.source, e.event_type, e.external_id, e.payload, e.attempts`,
    [options.now.toISOString(), options.sources.join(","), options.limit, leaseUntil.toISOString()],
  );
  return rows.map((row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    source: row.source,
    eventType: row.event_type,
    externalId: row.external_id,
    payload: row.payload,
    attempts: row.attempts,
  }));
}

/** Due failed events of sources with no registered effects (a provider whose webhook is not deployed here). */
export async function countDueUnregistered(
  db: Db, options: { now: Date; sources: readonly IntegrationKey[] },
): Promise<{ source: string; count: number }[]> {
  return db.query<{ source: string; count: number }>(
    `select source, count(*)::int as count from webhook_events
      where status = 'failed' and next_attempt_at <= $1::timestamptz
        and not (source = any(string_to_array($2, ',')))
      group by source order by source`,
    [options.now.toISOString(), options.sources.join(",")],
  );
}
