import type { Db } from "../_shared/db/port.ts";

/**
 * Which of these Stripe event ids the tenant already has in `webhook_events`, whatever their status: a
 * stored event is the webhook's and the retry job's to finish, not reconciliation's.
 */
export async function storedEventIds(db: Db, tenantId: string, eventIds: readonly string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const rows = await db.query<{ external_id: string }>(
    `select external_id from webhook_events
      where tenant_id = $1 and source = 'stripe' and external_id = any(string_to_array($2, ','))`,
    // Stripe event ids are `evt_` + alphanumerics: no comma can split one.
    [tenantId, eventIds.join(",")],
  );
  return new Set(rows.map((row) => row.external_id));
}
