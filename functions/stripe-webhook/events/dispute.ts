import { idOf, integerOf, objectOf, stringOf } from "../fields.ts";
import { upsertDispute } from "../../_shared/domain/payments/disputes.ts";
import type { StripeEventEffect } from "./types.ts";

/**
 * `charge.dispute.created|updated|closed` (object: a Dispute — docs.stripe.com/api/disputes/object) →
 * `disputes`, forward-only, and the disputed payment's `dispute_status`. A dispute whose payment is not
 * stored yet waits for it, like a refund.
 */
export const onDispute: StripeEventEffect = (tenantId, event) => {
  const dispute = event.data.object;
  const disputeId = idOf(dispute.id);
  const status = stringOf(dispute.status);
  if (!disputeId || !status) return undefined;
  const row = {
    tenantId,
    disputeId,
    charge: idOf(dispute.charge),
    paymentIntent: idOf(dispute.payment_intent),
    amount: integerOf(dispute.amount) ?? 0,
    currency: stringOf(dispute.currency) ?? "usd",
    status,
    reason: stringOf(dispute.reason),
    evidenceDueBy: integerOf(objectOf(dispute.evidence_details).due_by),
    disputedAt: integerOf(dispute.created),
    eventCreated: event.created,
  };
  return { apply: (tx) => upsertDispute(tx, row) };
};
