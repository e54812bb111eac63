import type { Db } from "../_shared/db/port.ts";

/**
 * How long a failed verification stays listed: the admin view reports the last 24 h and 7 d, plus a day so the
 * 7-day figure never loses rows to a run that happens just before it is read.
 */
export const SIGNATURE_FAILURE_RETENTION_MS = 8 * 24 * 3_600_000;

/**
 * Deletes at most `limit` rows of `webhook_signature_failures` older than the retention, oldest first, and says
 * how many: one bounded statement per run of the retry job (every minute), so a backlog after a flood drains
 * over a few runs instead of holding one long delete.
 * @example const pruned = await pruneSignatureFailures(db, { now: new Date(), limit: 5_000 });
 */
export async function pruneSignatureFailures(db: Db, options: { now: Date; limit: number }): Promise<number> {
  const cutoff = new Date(options.now.getTime() - SIGNATURE_FAILURE_RETENTION_MS);
  // A CTE, not `id in (subquery)`: the planner could re-run an IN subquery per row, and LIMIT would not bound it.
  const [row] = await db.query<{ pruned: number }>(
    `with old as (
       select id from webhook_signature_failures where created_at < $1 order by created_at limit $2
     ), pruned as (
       delete from webhook_signature_failures f using old where f.id = old.id returning 1
     )
     select count(*)::int as pruned from pruned`,
    [cutoff, options.limit],
  );
  return row!.pruned;
}
