import type { Db } from "../../db/port.ts";
import { REFUND_STATUS_RANK } from "./statuses.ts";

export interface RefundUpsert {
  tenantId: string;
  refundId: string;
  paymentIntent: string | null;
  amount: number;
  currency: string;
  status: string;
  reason: string | null;
  eventCreated: number;
}

/**
 * Creates or advances one refund; its status only moves forward (pending → succeeded/failed/canceled).
 * @example await upsertRefund(tx, { tenantId, refundId: re.id, status: "succeeded", ... });
 */
export async function upsertRefund(tx: Db, r: RefundUpsert): Promise<void> {
  await tx.query(
    `insert into refunds (tenant_id, stripe_refund_id, stripe_payment_intent, amount, currency, status, status_rank,
                          reason, source_event_created)
     values ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9))
     on conflict (tenant_id, stripe_refund_id) do update set
       stripe_payment_intent = coalesce(refunds.stripe_payment_intent, excluded.stripe_payment_intent),
       amount = excluded.amount,
       status = excluded.status,
       status_rank = excluded.status_rank,
       reason = coalesce(excluded.reason, refunds.reason),
       source_event_created = excluded.source_event_created,
       updated_at = now()
     where (excluded.status_rank, excluded.source_event_created) >= (refunds.status_rank, refunds.source_event_created)`,
    [r.tenantId, r.refundId, r.paymentIntent, r.amount, r.currency, r.status, REFUND_STATUS_RANK.get(r.status) ?? 1, r.reason,
      r.eventCreated],
  );
}
