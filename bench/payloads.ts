// Realistic Stripe `payment_intent.*` event bodies (~2 KB, the size Stripe sends for a card payment with
// our metadata), built on the test suite's event envelope so bench and tests agree on the shape.
import { stripeEvent } from "../tests/support/stripe.ts";

export type PaymentIntentEventType =
  | "payment_intent.succeeded" | "payment_intent.processing" | "payment_intent.payment_failed" | "payment_intent.canceled";

const STATUS: Record<PaymentIntentEventType, string> = {
  "payment_intent.succeeded": "succeeded",
  "payment_intent.processing": "processing",
  "payment_intent.payment_failed": "requires_payment_method",
  "payment_intent.canceled": "canceled",
};

/** Mostly successes, as in production; every status path of the handler still runs. */
export const EVENT_TYPE_MIX: readonly PaymentIntentEventType[] = [
  "payment_intent.succeeded", "payment_intent.succeeded", "payment_intent.succeeded", "payment_intent.succeeded",
  "payment_intent.succeeded", "payment_intent.succeeded", "payment_intent.succeeded",
  "payment_intent.processing", "payment_intent.payment_failed", "payment_intent.canceled",
];

export interface PaymentIntentEventInput {
  eventId: string;
  type: PaymentIntentEventType;
  intentId: string;
  enrollmentId: string;
  tenantId: string;
  amount: number;
  created: number;
}

/** The raw JSON body Stripe would POST for this event (the bytes that get signed). */
export function paymentIntentEventBody(input: PaymentIntentEventInput): string {
  const { intentId, amount, created, type } = input;
  const status = STATUS[type];
  const suffix = intentId.slice(-12);
  const intent = {
    id: intentId,
    object: "payment_intent",
    amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: status === "succeeded" ? amount : 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: { allow_redirects: "always", enabled: true },
    canceled_at: status === "canceled" ? created : null,
    cancellation_reason: status === "canceled" ? "abandoned" : null,
    capture_method: "automatic_async",
    client_secret: `${intentId}_secret_${suffix}Qx7LmN2pR4sT6vW8yZ`,
    confirmation_method: "automatic",
    created: created - 12,
    currency: "usd",
    customer: `cus_Q${suffix}`,
    description: "Enrollment fee — Fall term 2026",
    invoice: null,
    last_payment_error: status === "requires_payment_method"
      ? { code: "card_declined", decline_code: "insufficient_funds", message: "Your card has insufficient funds.", type: "card_error" }
      : null,
    latest_charge: status === "succeeded" ? `ch_3${suffix}1a2B3c4D` : null,
    livemode: false,
    metadata: {
      enrollment_id: input.enrollmentId,
      tenant_id: input.tenantId,
      kind: "enrollment_fee",
      student_name: "Ada Lovelace",
      term: "2026-fall",
      campus: "north",
      checkout_origin: "pay-page",
    },
    next_action: null,
    on_behalf_of: null,
    payment_method: `pm_1${suffix}AbCdEfGh`,
    payment_method_configuration_details: { id: "pmc_1PgT2bExampleConfig01", parent: null },
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: "automatic" },
      link: { persist_token: null },
      us_bank_account: { financial_connections: { permissions: ["payment_method"], prefetch: [] }, verification_method: "automatic" },
    },
    payment_method_types: ["card", "link", "us_bank_account"],
    processing: null,
    receipt_email: "parent.of.ada@example.edu",
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: "IPS FEE",
    status,
    transfer_data: null,
    transfer_group: null,
  };
  const event = stripeEvent(type, intent, { id: input.eventId, created });
  return JSON.stringify({ ...event, request: { id: `req_${suffix}Ab12`, idempotency_key: crypto.randomUUID() } });
}
