import { displayAmount } from "./display-amount.ts";
import type { EnqueueEmailInput } from "./enqueue.ts";

/**
 * The `payment_confirmation` email of a succeeded payment. Keyed by the PaymentIntent: the intent's own
 * event and its Checkout Session's describe one payment, and whichever is applied first enqueues it. Tuition
 * is confirmed by its `invoice.paid` alone (the intent's own event enqueues none), keyed by the invoice when
 * the invoice does not name its intent (API 2025-03-31 and later).
 * Template data: `amount` (minor units), `currency`, `amountDisplay` ("$150.00"), `enrollmentId`.
 * @example enqueueEmailStatement(paymentConfirmation(payment, { email: "parent@example.com" }), gate)
 */
export function paymentConfirmation(
  payment: { tenantId: string; amount: number; currency: string; enrollmentId: string | null } &
    ({ paymentIntent: string } | { paymentIntent: string | null; invoice: string }),
  to: { email: string; name?: string },
): EnqueueEmailInput {
  return {
    tenantId: payment.tenantId,
    kind: "payment_confirmation",
    to,
    dedupeKey: payment.paymentIntent ?? (payment as { invoice: string }).invoice,
    data: {
      amount: payment.amount,
      currency: payment.currency,
      amountDisplay: displayAmount(payment.amount, payment.currency),
      enrollmentId: payment.enrollmentId,
    },
  };
}
