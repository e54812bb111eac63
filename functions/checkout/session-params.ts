import type Stripe from "stripe";
import type { CheckoutKind } from "./session-store.ts";

export interface SessionTarget {
  tenantId: string;
  enrollmentId: string;
  /** The enrollment's known Stripe customer: reused so the family has one customer (and one Billing Portal). */
  customer: string | null;
  appUrl: string;
}

/**
 * What links Stripe's objects back to the enrollment: the webhook reads `metadata.enrollment_id` (and
 * `kind`) from the session, its PaymentIntent and its subscription, and `client_reference_id` from the session.
 */
function links(target: SessionTarget, kind: CheckoutKind) {
  const metadata = { enrollment_id: target.enrollmentId, kind, tenant_id: target.tenantId };
  // Built by hand: Stripe fills in {CHECKOUT_SESSION_ID} itself, so the braces must stay unencoded.
  const page = `${target.appUrl}/pay/${target.enrollmentId}`;
  return {
    metadata,
    client_reference_id: target.enrollmentId,
    success_url: `${page}/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${page}/cancel`,
  };
}

/**
 * A `payment` mode session for the one-time enrollment fee (`amount` in minor units of `currency`).
 * @example await stripe.checkout.sessions.create(enrollmentFeeSession(target, 15_000, "eur"), { idempotencyKey });
 */
export function enrollmentFeeSession(target: SessionTarget, amount: number, currency: string): Stripe.Checkout.SessionCreateParams {
  const linked = links(target, "enrollment_fee");
  return {
    mode: "payment",
    line_items: [{ quantity: 1, price_data: { currency, unit_amount: amount, product_data: { name: "Enrollment fee" } } }],
    payment_intent_data: { metadata: linked.metadata },
    // Without a customer, a payment-mode session makes a guest; "always" gives the family a customer we can
    // reuse for tuition and the Billing Portal. Stripe accepts only one of the two parameters.
    ...(target.customer ? { customer: target.customer } : { customer_creation: "always" }),
    ...linked,
  };
}

/**
 * A `subscription` mode session for monthly tuition at the school's `priceId`; the subscription carries the
 * enrollment in its metadata, so each of its invoices becomes a tuition payment of this enrollment.
 * @example await stripe.checkout.sessions.create(tuitionSession(target, "price_123"), { idempotencyKey });
 */
export function tuitionSession(target: SessionTarget, priceId: string): Stripe.Checkout.SessionCreateParams {
  const linked = links(target, "tuition");
  return {
    mode: "subscription",
    line_items: [{ quantity: 1, price: priceId }],
    subscription_data: { metadata: linked.metadata },
    ...(target.customer ? { customer: target.customer } : {}),
    ...linked,
  };
}
