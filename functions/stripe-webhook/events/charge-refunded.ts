import type { Db } from "../../_shared/db/port.ts";
import type { StripeEvent } from "../../_shared/verify/stripe.ts";
import { idOf, integerOf, objectOf, stringOf, type StripeObject } from "../fields.ts";
import { upsertPayment, applyRefundTotal } from "../../_shared/domain/payments/payments.ts";
import { upsertRefund } from "../../_shared/domain/payments/refunds.ts";
import type { StripeEventEffect } from "./types.ts";

/**
 * `charge.refunded` carries the charge's cumulative `amount_refunded`: it raises the payment's total
 * (never lowers it). A payment not seen yet is created from the charge, so the refund is not lost.
 */
export const onChargeRefunded: StripeEventEffect = (tenantId, event) => {
  const charge = event.data.object;
  const paymentIntent = idOf(charge.payment_intent);
  if (!paymentIntent) return undefined; // A charge without an intent was not made by our Checkout.
  const currency = stringOf(charge.currency) ?? "usd";
  return { apply: (tx) => applyChargeRefunded(tx, tenantId, event, charge, paymentIntent, currency) };
};

async function applyChargeRefunded(
  tx: Db, tenantId: string, event: StripeEvent, charge: StripeObject, paymentIntent: string, currency: string,
): Promise<void> {
  await upsertPayment(tx, {
    tenantId,
    enrollmentId: null,
    kind: "other",
    paymentIntent,
    customer: idOf(charge.customer),
    amount: integerOf(charge.amount) ?? 0,
    currency,
    status: "succeeded",
    eventCreated: event.created,
  });
  // When the API version includes the refunds list, keep each refund too.
  const refunds = objectOf(charge.refunds).data;
  for (const refund of Array.isArray(refunds) ? refunds : []) {
    const r = objectOf(refund);
    const refundId = idOf(r.id);
    if (!refundId) continue;
    await upsertRefund(tx, {
      tenantId, refundId, paymentIntent, amount: integerOf(r.amount) ?? 0, currency,
      status: stringOf(r.status) ?? "pending", reason: stringOf(r.reason), eventCreated: event.created,
    });
  }
  await applyRefundTotal(tx, tenantId, paymentIntent, integerOf(charge.amount_refunded) ?? 0);
}
