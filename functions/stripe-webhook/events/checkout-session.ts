import { enrollmentIdOf, idOf, integerOf, objectOf, stringOf } from "../fields.ts";
import type { PaymentStatus } from "../store/payment-status.ts";
import { linkSubscriptionPayments, upsertPaymentStatement } from "../store/payments.ts";
import { linkSubscription } from "../store/subscriptions.ts";
import type { StripeEventEffect } from "./types.ts";

function paymentStatusOf(eventType: string, paymentStatus: string | null): PaymentStatus {
  if (eventType === "checkout.session.async_payment_failed") return "failed";
  if (eventType === "checkout.session.async_payment_succeeded") return "succeeded";
  // `completed` with payment_status "unpaid" is a delayed method (bank debit) still on its way.
  return paymentStatus === "paid" || paymentStatus === "no_payment_required" ? "succeeded" : "processing";
}

/**
 * `checkout.session.completed|async_payment_succeeded|async_payment_failed`: payment mode records the
 * enrollment fee against its intent; subscription mode links the subscription to the enrollment so each
 * `invoice.paid` becomes a tuition payment.
 */
export const onCheckoutSession: StripeEventEffect = (tenantId, event) => {
  const session = event.data.object;
  const metadata = objectOf(session.metadata);
  const enrollmentId = enrollmentIdOf(metadata, { enrollment_id: session.client_reference_id });
  const customer = idOf(session.customer);

  if (session.mode === "subscription") {
    const subscriptionId = idOf(session.subscription);
    if (!subscriptionId) return undefined;
    return {
      apply: async (tx) => {
        await linkSubscription(tx, { tenantId, subscriptionId, enrollmentId, customer });
        await linkSubscriptionPayments(tx, tenantId, subscriptionId);
      },
    };
  }
  const paymentIntent = idOf(session.payment_intent);
  if (!paymentIntent) return undefined; // No payment was needed (e.g. a 100% coupon): nothing to record.
  const payment = {
    tenantId,
    enrollmentId,
    kind: metadata.kind === "tuition" ? "tuition" : "enrollment_fee",
    paymentIntent,
    checkoutSession: idOf(session.id),
    customer,
    amount: integerOf(session.amount_total) ?? 0,
    currency: stringOf(session.currency) ?? "usd",
    status: paymentStatusOf(event.type, stringOf(session.payment_status)),
    eventCreated: event.created,
  } as const;
  return { statement: (gate) => upsertPaymentStatement(payment, gate) };
};
