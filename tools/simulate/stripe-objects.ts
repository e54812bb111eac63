// Stripe objects and event envelopes shaped as Stripe's API sends them (API version 2025-03-31.basil and
// later: a subscription's period on its items, an invoice's intent under `payments`), for the simulator and
// the load run. Only the fields a school's integration reads are filled with meaning; the rest are typical.

/** A Stripe-style id: `prefix_` + 24 random alphanumerics. */
export function stripeId(prefix: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `${prefix}_${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("")}`;
}

export interface PaymentFields {
  id?: string;
  amount: number;
  currency?: string;
  status: "succeeded" | "processing" | "requires_payment_method" | "canceled";
  customer?: string;
  enrollmentId?: string;
  kind?: "enrollment_fee" | "tuition";
  created: number;
}

export function paymentIntentObject(p: PaymentFields) {
  const id = p.id ?? stripeId("pi");
  return {
    id,
    object: "payment_intent",
    amount: p.amount,
    amount_capturable: 0,
    amount_received: p.status === "succeeded" ? p.amount : 0,
    automatic_payment_methods: { allow_redirects: "always", enabled: true },
    canceled_at: p.status === "canceled" ? p.created : null,
    cancellation_reason: p.status === "canceled" ? "abandoned" : null,
    capture_method: "automatic_async",
    client_secret: `${id}_secret_${stripeId("x").slice(2, 18)}`,
    confirmation_method: "automatic",
    created: p.created,
    currency: p.currency ?? "usd",
    customer: p.customer ?? null,
    description: p.kind === "tuition" ? "Tuition" : "Enrollment fee",
    last_payment_error: p.status === "requires_payment_method"
      ? { code: "card_declined", decline_code: "insufficient_funds", message: "Your card has insufficient funds.", type: "card_error" }
      : null,
    latest_charge: p.status === "succeeded" ? stripeId("ch") : null,
    livemode: false,
    metadata: p.enrollmentId ? { enrollment_id: p.enrollmentId, kind: p.kind ?? "enrollment_fee" } : {},
    next_action: null,
    payment_method: stripeId("pm"),
    payment_method_types: ["card"],
    receipt_email: null,
    status: p.status,
  };
}

export function chargeRefundedObject(c: { paymentIntent: string; amount: number; amountRefunded: number; currency?: string; customer?: string; created: number }) {
  return {
    id: stripeId("ch"),
    object: "charge",
    amount: c.amount,
    amount_captured: c.amount,
    amount_refunded: c.amountRefunded,
    captured: true,
    created: c.created,
    currency: c.currency ?? "usd",
    customer: c.customer ?? null,
    livemode: false,
    paid: true,
    payment_intent: c.paymentIntent,
    refunded: c.amountRefunded >= c.amount,
    status: "succeeded",
  };
}

export function refundObject(r: { id?: string; paymentIntent: string; amount: number; status: "pending" | "succeeded" | "failed" | "canceled"; currency?: string; created: number }) {
  return {
    id: r.id ?? stripeId("re"),
    object: "refund",
    amount: r.amount,
    balance_transaction: r.status === "succeeded" ? stripeId("txn") : null,
    charge: stripeId("ch"),
    created: r.created,
    currency: r.currency ?? "usd",
    destination_details: { card: { type: "refund" }, type: "card" },
    metadata: {},
    payment_intent: r.paymentIntent,
    reason: "requested_by_customer",
    status: r.status,
  };
}

export function subscriptionObject(s: {
  id?: string; customer?: string; status: string; enrollmentId?: string; priceId?: string; created: number; periodEnd: number; canceledAt?: number | null;
}) {
  const id = s.id ?? stripeId("sub");
  return {
    id,
    object: "subscription",
    billing_cycle_anchor: s.created,
    cancel_at_period_end: false,
    canceled_at: s.canceledAt ?? null,
    collection_method: "charge_automatically",
    created: s.created,
    currency: "usd",
    customer: s.customer ?? stripeId("cus"),
    items: {
      object: "list",
      data: [{
        id: stripeId("si"), object: "subscription_item", created: s.created, current_period_start: s.created,
        current_period_end: s.periodEnd, price: { id: s.priceId ?? "price_tuition_monthly", object: "price", unit_amount: 45_000, currency: "usd" },
        quantity: 1, subscription: id,
      }],
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    livemode: false,
    metadata: s.enrollmentId ? { enrollment_id: s.enrollmentId } : {},
    status: s.status,
  };
}

export function checkoutSessionObject(c: { paymentIntent: string; amount: number; enrollmentId?: string; created: number }) {
  return {
    id: stripeId("cs_test"),
    object: "checkout.session",
    amount_subtotal: c.amount,
    amount_total: c.amount,
    client_reference_id: c.enrollmentId ?? null,
    created: c.created,
    currency: "usd",
    customer: stripeId("cus"),
    expires_at: c.created + 24 * 3600,
    livemode: false,
    metadata: c.enrollmentId ? { enrollment_id: c.enrollmentId, kind: "enrollment_fee" } : {},
    mode: "payment",
    payment_intent: c.paymentIntent,
    payment_status: "paid",
    status: "complete",
  };
}

export function invoiceObject(i: { paid: boolean; amount: number; subscription: string; paymentIntent: string; enrollmentId?: string; created: number }) {
  return {
    id: stripeId("in"),
    object: "invoice",
    amount_due: i.amount,
    amount_paid: i.paid ? i.amount : 0,
    amount_remaining: i.paid ? 0 : i.amount,
    billing_reason: "subscription_cycle",
    created: i.created,
    currency: "usd",
    customer: stripeId("cus"),
    livemode: false,
    metadata: {},
    parent: {
      type: "subscription_details",
      subscription_details: { subscription: i.subscription, metadata: i.enrollmentId ? { enrollment_id: i.enrollmentId } : {} },
    },
    payments: { object: "list", data: [{ id: stripeId("inpay"), object: "invoice_payment", payment: { type: "payment_intent", payment_intent: i.paymentIntent } }] },
    status: i.paid ? "paid" : "open",
  };
}

/** The event around an object, as delivered to a webhook endpoint. */
export function stripeEventEnvelope(type: string, object: Record<string, unknown>, options: { id?: string; created: number; apiVersion?: string }) {
  return {
    id: options.id ?? stripeId("evt"),
    object: "event",
    api_version: options.apiVersion ?? "2025-03-31.basil",
    created: options.created,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: stripeId("req"), idempotency_key: crypto.randomUUID() },
    type,
  };
}
