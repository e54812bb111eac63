import type { Db } from "../_shared/db/port.ts";
import { DISPUTE_CLOSED_RANK } from "../_shared/domain/payments/statuses.ts";

/**
 * How many of the school's payments have a dispute still open (not won, lost or closed), and how much they
 * put at stake (minor units, per currency). Only disputes linked to one of its payments count: in a district
 * sharing one Stripe account, another school's unmarked dispute reaches this endpoint too, but never links.
 */
export async function openDisputes(db: Db, tenantId: string): Promise<{ count: number; amounts: { currency: string; amount: number }[] }> {
  const rows = await db.query<{ currency: string; count: number; amount: number }>(
    `select d.currency, count(*)::int as count, sum(d.amount)::int8 as amount
       from disputes d
      where d.tenant_id = $1 and d.status_rank < $2
        and exists (select 1 from payments p where p.tenant_id = d.tenant_id and p.stripe_payment_intent = d.stripe_payment_intent)
      group by d.currency order by d.currency`,
    [tenantId, DISPUTE_CLOSED_RANK]);
  return {
    count: rows.reduce((sum, row) => sum + row.count, 0),
    amounts: rows.map(({ currency, amount }) => ({ currency, amount: Number(amount) })),
  };
}
