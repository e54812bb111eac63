import { enqueueEmailStatement } from "../../_shared/domain/email/enqueue.ts";
import { paymentConfirmation } from "../../_shared/domain/email/payment-confirmation.ts";
import { enrollmentIdOf, idOf, integerOf, objectOf, stringOf } from "../fields.ts";
import type { PaymentStatus } from "../../_shared/domain/payments/statuses.ts";
import { closeCheckoutSessionStatement } from "../../_shared/domain/payments/checkout-sessions.ts";
import { linkSubscriptionPayments, upsertPaymentStatement } from "../../_shared/domain/payments/payments.ts";
import { linkSubscription } from "../../_shared/domain/subscriptions/subscription-state.ts";
import type { StripeEventEffect } from "./types.ts";

function paymentStatusOf(eventType: string, paymentStatus: string | null): PaymentStatus {
  if (eventType === "checkout.session.async_payment_failed") return "failed";
  if (eventType === "checkout.session.async_payment_succeeded") return "succeeded";
  // `completed` with payment_status "unpaid" is a delayed method (bank debit) still on its way.
  return paymentStatus === "paid" || paymentStatus === "no_payment_required" ? "succeeded" : "processing";
}

/**
 * `checkout.session.completed|async_payment_succeeded|async_payment_failed`: payment mode records the
 * enrollment fee against its intent (and, once paid, enqueues the payer's payment confirmation, keyed by the
 * intent like the intent's own event does); subscription mode links the subscription to the enrollment so
 * each `invoice.paid` becomes a tuition payment. Either way the session we opened is closed.
 */
export const onCheckoutSession: StripeEventEffect = (tenantId, event) => {
  const session = event.data.object;
  const sessionId = idOf(session.id);
  if (!sessionId) return undefined;
  const metadata = objectOf(session.metadata);
  const enrollmentId = enrollmentIdOf(metadata, { enrollment_id: session.client_reference_id });
  const customer = idOf(session.customer);

  if (session.mode === "subscription") {
    const subscriptionId = idOf(session.subscription);
    if (!subscriptionId) return undefined;
    return {
      apply: async (tx) => {
        const close = closeCheckoutSessionStatement(tenantId, sessionId, "complete");
        await tx.query(close.text, close.values);
        await linkSubscription(tx, { tenantId, subscriptionId, enrollmentId, customer });
        await linkSubscriptionPayments(tx, tenantId, subscriptionId);
      },
    };
  }
  const paymentIntent = idOf(session.payment_intent);
  // No payment was needed (e.g. a 100% coupon): only the session closes.
  if (!paymentIntent) return { statements: (gate) => [closeCheckoutSessionStatement(tenantId, sessionId, "complete", gate)] };
  const payment = {
    tenantId,
    enrollmentId,
    kind: metadata.kind === "tuition" ? "tuition" : "enrollment_fee",
    paymentIntent,
    checkoutSession: sessionId,
    customer,
    amount: integerOf(session.amount_total) ?? 0,
    currency: stringOf(session.currency) ?? "usd",
    status: paymentStatusOf(event.type, stringOf(session.payment_status)),
    eventCreated: event.created,
  } as const;
  const payer = objectOf(session.customer_details);
  const payerEmail = stringOf(payer.email)?.trim();
  const payerName = stringOf(payer.name)?.trim();
  const confirmation = payment.status === "succeeded" && payerEmail
    ? paymentConfirmation(payment, { email: payerEmail, ...(payerName ? { name: payerName } : {}) })
    : undefined;
  return {
    statements: (gate) => [
      closeCheckoutSessionStatement(tenantId, sessionId, "complete", gate),
      upsertPaymentStatement(payment, gate),
      ...(confirmation ? [enqueueEmailStatement(confirmation, gate)] : []),
    ],
  };
};

/** `checkout.session.expired`: the session we opened can no longer be paid, so the next click opens a new one. */
export const onCheckoutSessionExpired: StripeEventEffect = (tenantId, event) => {
  const sessionId = idOf(event.data.object.id);
  if (!sessionId) return undefined;
  return { statements: (gate) => [closeCheckoutSessionStatement(tenantId, sessionId, "expired", gate)] };
};
