import type { EnqueueEmailInput } from "./enqueue.ts";

/** `15000, "usd"` → `"$150.00"`: minor units shifted by the currency's own decimals (none for JPY). */
function displayAmount(amount: number, currency: string): string | null {
  try {
    const format = new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() });
    return format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return null; // Not an ISO currency Intl knows: the template still has amount and currency.
  }
}

/**
 * The `payment_confirmation` email of a succeeded payment. Keyed by the PaymentIntent: the intent's own
 * event and its Checkout Session's describe one payment, and whichever is applied first enqueues it.
 * Template data: `amount` (minor units), `currency`, `amountDisplay` ("$150.00"), `enrollmentId`.
 * @example enqueueEmailStatement(paymentConfirmation(payment, { email: "parent@example.com" }), gate)
 */
export function paymentConfirmation(
  payment: { tenantId: string; paymentIntent: string; amount: number; currency: string; enrollmentId: string | null },
  to: { email: string; name?: string },
): EnqueueEmailInput {
  return {
    tenantId: payment.tenantId,
    kind: "payment_confirmation",
    to,
    dedupeKey: payment.paymentIntent,
    data: {
      amount: payment.amount,
      currency: payment.currency,
      amountDisplay: displayAmount(payment.amount, payment.currency),
      enrollmentId: payment.enrollmentId,
    },
  };
}
