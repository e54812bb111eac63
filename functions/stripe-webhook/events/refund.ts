import { idOf, integerOf, stringOf } from "../fields.ts";
import { applyRefundTotal } from "../../_shared/domain/payments/payments.ts";
import { upsertRefund } from "../../_shared/domain/payments/refunds.ts";
import type { StripeEventEffect } from "./types.ts";

/** `refund.created|updated|failed` (and `charge.refund.updated`) → `refunds`, then the payment's total. */
export const onRefund: StripeEventEffect = (tenantId, event) => {
  const refund = event.data.object;
  const refundId = idOf(refund.id);
  if (!refundId) return undefined;
  const paymentIntent = idOf(refund.payment_intent);
  const row = {
    tenantId,
    refundId,
    paymentIntent,
    amount: integerOf(refund.amount) ?? 0,
    currency: stringOf(refund.currency) ?? "usd",
    status: stringOf(refund.status) ?? "pending",
    reason: stringOf(refund.reason),
    eventCreated: event.created,
  };
  return {
    apply: async (tx) => {
      await upsertRefund(tx, row);
      if (paymentIntent) await applyRefundTotal(tx, tenantId, paymentIntent, 0);
    },
  };
};
