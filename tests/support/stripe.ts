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
