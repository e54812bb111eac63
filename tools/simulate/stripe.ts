// Stripe: events as Stripe delivers them to an endpoint, signed by Stripe's own SDK
// (`stripe.webhooks.generateTestHeaderString`: `Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")`).
import Stripe from "stripe";
import type { EventInput, SimulatedProvider } from "./provider.ts";
import { secretOf } from "./provider.ts";
import {
  chargeRefundedObject, checkoutSessionObject, invoiceObject, paymentIntentObject, refundObject, stripeEventEnvelope,
  stripeId, subscriptionObject,
} from "./stripe-objects.ts";

type Build = (input: EventInput, created: number) => Record<string, unknown>;

const amountOf = (input: EventInput) => input.amount ?? 15_000;
const intentOf = (input: EventInput) => input.objectId ?? stripeId("pi");

const payment = (status: "succeeded" | "processing" | "requires_payment_method" | "canceled"): Build => (input, created) =>
  paymentIntentObject({ id: intentOf(input), amount: amountOf(input), status, created, customer: stripeId("cus"), ...(input.enrollmentId ? { enrollmentId: input.enrollmentId } : {}) });

const refund = (status: "pending" | "succeeded" | "failed"): Build => (input, created) =>
  refundObject({ paymentIntent: intentOf(input), amount: amountOf(input), status, created });

const subscription = (status: string): Build => (input, created) =>
  subscriptionObject({
    ...(input.objectId ? { id: input.objectId } : {}), status, created, periodEnd: created + 30 * 86_400,
    ...(input.enrollmentId ? { enrollmentId: input.enrollmentId } : {}), ...(status === "canceled" ? { canceledAt: created } : {}),
  });

const EVENTS: Record<string, Build> = {
  "payment_intent.succeeded": payment("succeeded"),
  "payment_intent.processing": payment("processing"),
  "payment_intent.payment_failed": payment("requires_payment_method"),
  "payment_intent.canceled": payment("canceled"),
  "charge.refunded": (input, created) =>
    chargeRefundedObject({ paymentIntent: intentOf(input), amount: amountOf(input), amountRefunded: amountOf(input), created }),
  "refund.created": refund("pending"),
  "refund.updated": refund("succeeded"),
  "refund.failed": refund("failed"),
  "checkout.session.completed": (input, created) =>
    checkoutSessionObject({ paymentIntent: intentOf(input), amount: amountOf(input), created, ...(input.enrollmentId ? { enrollmentId: input.enrollmentId } : {}) }),
  "invoice.paid": (input, created) =>
    invoiceObject({ paid: true, amount: input.amount ?? 45_000, subscription: stripeId("sub"), paymentIntent: intentOf(input), created, ...(input.enrollmentId ? { enrollmentId: input.enrollmentId } : {}) }),
  "invoice.payment_failed": (input, created) =>
    invoiceObject({ paid: false, amount: input.amount ?? 45_000, subscription: stripeId("sub"), paymentIntent: intentOf(input), created, ...(input.enrollmentId ? { enrollmentId: input.enrollmentId } : {}) }),
  "customer.subscription.created": subscription("active"),
  "customer.subscription.updated": subscription("past_due"),
  "customer.subscription.deleted": subscription("canceled"),
};

// The SDK signs without calling Stripe: no real key is needed for that.
const stripe = new Stripe("sk_test_simulator", { httpClient: Stripe.createFetchHttpClient() });

export const stripeProvider: SimulatedProvider = {
  key: "stripe",
  events: Object.keys(EVENTS),
  acceptsOtherEvents: true,
  build(event, input) {
    const created = Math.floor(input.now / 1000);
    const object = EVENTS[event]?.(input, created) ?? { id: stripeId("obj"), object: event.split(".")[0] };
    const body = stripeEventEnvelope(event, object, { created, ...(input.eventId ? { id: input.eventId } : {}) });
    return { body: JSON.stringify(body), describe: `${body.type} ${body.id} (${String(object.object)} ${String(object.id)})` };
  },
  sign(body, key, timestampSeconds) {
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret: secretOf(key), timestamp: timestampSeconds });
    return { "content-type": "application/json; charset=utf-8", "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)", "stripe-signature": header };
  },
};
