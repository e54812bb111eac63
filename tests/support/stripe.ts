import Stripe from "stripe";

/** The Stripe SDK is a test and bench dependency only: it signs requests here, never in the webhook path. */
export const stripe = new Stripe("sk_test_51ExampleSecretKey000000000000", { httpClient: Stripe.createFetchHttpClient() });

export const WEBHOOK_SECRET = "whsec_test_5b2f8c0a1d9e4f7a8b6c3d2e1f0a9b8c";

/** A `Stripe-Signature` header made by Stripe's own SDK. */
export function stripeSignature(payload: string, options: { secret?: string; timestamp?: number } = {}): string {
  return stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? WEBHOOK_SECRET,
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
  });
}

let sequence = 0;

/** A Stripe event shaped as the API delivers it (`object: "event"`, `data.object`, `created` in seconds). */
export function stripeEvent(type: string, object: Record<string, unknown>, options: { id?: string; created?: number } = {}) {
  return {
    id: options.id ?? `evt_test_${Date.now().toString(36)}${(sequence++).toString(36)}${Math.random().toString(36).slice(2, 8)}`,
    object: "event",
    api_version: "2025-03-31.basil",
    created: options.created ?? Math.floor(Date.now() / 1000),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

export function paymentIntent(fields: Partial<{ id: string; amount: number; currency: string; status: string; enrollmentId: string; customer: string; lastError: string }> = {}) {
  return {
    id: fields.id ?? `pi_test_${Math.random().toString(36).slice(2, 14)}`,
    object: "payment_intent",
    amount: fields.amount ?? 25_000,
    amount_received: fields.status === "succeeded" ? (fields.amount ?? 25_000) : 0,
    currency: fields.currency ?? "usd",
    customer: fields.customer ?? "cus_test_123",
    status: fields.status ?? "succeeded",
    metadata: fields.enrollmentId ? { enrollment_id: fields.enrollmentId } : {},
    last_payment_error: fields.lastError ? { message: fields.lastError, code: "card_declined" } : null,
    livemode: false,
  };
}

/** A signed webhook Request for `tenantId`, as Stripe would send it. */
export function signedStripeRequest(
  tenantId: string | undefined,
  body: string,
  options: { secret?: string; timestamp?: number; header?: string | null; baseUrl?: string } = {},
): Request {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8", "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)" });
  const header = options.header === undefined ? stripeSignature(body, options) : options.header;
  if (header !== null) headers.set("stripe-signature", header);
  const path = tenantId ? `/api/webhooks/stripe/${tenantId}` : "/api/webhooks/stripe";
  return new Request(`${options.baseUrl ?? "http://localhost"}${path}`, { method: "POST", headers, body });
}

/**
 * A Dispute as `charge.dispute.*` delivers it (docs.stripe.com/api/disputes/object; stripe-node
 * `src/resources/Disputes.ts`): `charge`, nullable `payment_intent`, `status`, `reason`, `evidence_details.due_by`.
 */
export function dispute(fields: Partial<{ id: string; paymentIntent: string | null; charge: string; amount: number; currency: string; status: string; reason: string; created: number; metadata: Record<string, string> }> = {}) {
  return {
    id: fields.id ?? `du_test_${Math.random().toString(36).slice(2, 14)}`,
    object: "dispute",
    amount: fields.amount ?? 25_000,
    balance_transactions: [],
    charge: fields.charge ?? `ch_test_${Math.random().toString(36).slice(2, 14)}`,
    created: fields.created ?? 1_789_990_000,
    currency: fields.currency ?? "usd",
    evidence: { customer_email_address: null, uncategorized_text: null },
    evidence_details: { due_by: 1_790_900_000, has_evidence: false, past_due: false, submission_count: 0 },
    is_charge_refundable: false,
    livemode: false,
    metadata: fields.metadata ?? {},
    payment_intent: fields.paymentIntent === undefined ? null : fields.paymentIntent,
    reason: fields.reason ?? "fraudulent",
    status: fields.status ?? "needs_response",
  };
}

/**
 * An Invoice as `invoice.*` delivers it at API 2025-03-31.basil (docs.stripe.com/api/invoices/object): no top-level
 * `payment_intent`/`subscription`; the subscription and its metadata under `parent.subscription_details`.
 */
export function tuitionInvoice(fields: Partial<{ id: string; amountDue: number; amountPaid: number; currency: string; customerEmail: string | null; customerName: string; status: string; attemptCount: number; nextPaymentAttempt: number | null; metadata: Record<string, string>; subscription: string }> = {}) {
  const id = fields.id ?? `in_test_${Math.random().toString(36).slice(2, 14)}`;
  return {
    id,
    object: "invoice",
    amount_due: fields.amountDue ?? 30_000,
    amount_paid: fields.amountPaid ?? 0,
    amount_remaining: (fields.amountDue ?? 30_000) - (fields.amountPaid ?? 0),
    attempt_count: fields.attemptCount ?? 1,
    attempted: true,
    billing_reason: "subscription_cycle",
    collection_method: "charge_automatically",
    currency: fields.currency ?? "usd",
    customer: "cus_test_123",
    customer_email: fields.customerEmail === undefined ? "parent@example.com" : fields.customerEmail,
    customer_name: fields.customerName ?? "Pat Parent",
    hosted_invoice_url: `https://invoice.stripe.com/i/acct_test/test_${id}`,
    livemode: false,
    metadata: {},
    next_payment_attempt: fields.nextPaymentAttempt === undefined ? 1_790_086_400 : fields.nextPaymentAttempt,
    parent: {
      type: "subscription_details",
      quote_details: null,
      subscription_details: { metadata: fields.metadata ?? {}, subscription: fields.subscription ?? "sub_test_tuition" },
    },
    status: fields.status ?? "open",
  };
}
