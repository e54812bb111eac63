import type { Db } from "../../db/port.ts";
import { DISPUTE_STATUS_RANK } from "./statuses.ts";

export interface DisputeUpsert {
  tenantId: string;
  disputeId: string;
  charge: string | null;
  paymentIntent: string | null;
  amount: number;
  currency: string;
  status: string;
  reason: string | null;
  /** `evidence_details.due_by` (seconds), when Stripe says by when evidence is due. */
  evidenceDueBy: number | null;
  /** The dispute's own `created` (seconds). */
  disputedAt: number | null;
  /** `event.created` (seconds) of the event that says this. */
  eventCreated: number;
}

/**
 * The `dispute_status` of a payment: the status of its newest dispute. The same expression links a payment
 * to disputes that arrived before it (upsertPaymentStatement) and refreshes it when a dispute moves.
 * `payment` is the alias of the payments row in the surrounding statement.
 */
export function disputeStatusOf(payment: string): string {
  return `(select d.status from disputes d
            where d.tenant_id = ${payment}.tenant_id and d.stripe_payment_intent = ${payment}.stripe_payment_intent
            order by d.disputed_at desc nulls last, d.created_at desc limit 1)`;
}

/**
 * Creates or advances one dispute (its status only moves forward: see DISPUTE_STATUS_RANK), then shows the
 * payment's newest dispute on the payment. A dispute whose payment is not stored yet waits in `disputes`;
 * the payment picks it up when it arrives. Unknown statuses rank lowest: stored, never overriding.
 * @example await upsertDispute(tx, { tenantId, disputeId: dp.id, status: "needs_response", ... });
 */
export async function upsertDispute(tx: Db, d: DisputeUpsert): Promise<void> {
  await tx.query(
    `insert into disputes (tenant_id, stripe_dispute_id, stripe_charge, stripe_payment_intent, amount, currency, status,
                           status_rank, reason, evidence_due_by, disputed_at, source_event_created)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10), to_timestamp($11), to_timestamp($12))
     on conflict (tenant_id, stripe_dispute_id) do update set
       stripe_charge = coalesce(disputes.stripe_charge, excluded.stripe_charge),
       stripe_payment_intent = coalesce(disputes.stripe_payment_intent, excluded.stripe_payment_intent),
       amount = excluded.amount,
       currency = excluded.currency,
       status = excluded.status,
       status_rank = excluded.status_rank,
       reason = coalesce(excluded.reason, disputes.reason),
       evidence_due_by = coalesce(excluded.evidence_due_by, disputes.evidence_due_by),
       disputed_at = coalesce(disputes.disputed_at, excluded.disputed_at),
       source_event_created = excluded.source_event_created,
       updated_at = now()
     where (excluded.status_rank, excluded.source_event_created) >= (disputes.status_rank, disputes.source_event_created)`,
    [d.tenantId, d.disputeId, d.charge, d.paymentIntent, d.amount, d.currency, d.status, DISPUTE_STATUS_RANK.get(d.status) ?? 0,
      d.reason, d.evidenceDueBy, d.disputedAt, d.eventCreated],
  );
  if (d.paymentIntent) await refreshDisputeStatus(tx, d.tenantId, d.paymentIntent);
}

/** Shows the payment's newest dispute status on it (nothing when the payment is not stored yet). */
export async function refreshDisputeStatus(tx: Db, tenantId: string, paymentIntent: string): Promise<void> {
  await tx.query(
    `update payments p set dispute_status = ${disputeStatusOf("p")}, updated_at = now()
      where p.tenant_id = $1 and p.stripe_payment_intent = $2
        and p.dispute_status is distinct from ${disputeStatusOf("p")}`,
    [tenantId, paymentIntent],
  );
}
