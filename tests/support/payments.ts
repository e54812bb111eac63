// Schools with Stripe set up for outbound calls, and Stripe events delivered through the real webhook
// function: the payment and subscription rows the checkout and admin-payments tests start from are made
// the way production makes them.
import type { Services } from "../../functions/_shared/context.ts";
import { handler as stripeWebhook } from "../../functions/stripe-webhook/handler.ts";
import { contextFor } from "./services.ts";
import { WEBHOOK_SECRET, signedStripeRequest, stripeEvent } from "./stripe.ts";
import { configureIntegration, createEnrollment, createTenant } from "./tenants.ts";

export const rand = (n = 24) => crypto.randomUUID().replaceAll("-", "").slice(0, n);

export interface StripeSchool {
  tenantId: string;
  enrollmentId: string;
  /** Unique per school, so a leak into a response or a log line is caught and attributable. */
  secretKey: string;
}

/**
 * A tenant with Stripe enabled (a unique secret key, the shared test webhook secret) and `settings`, and one
 * enrollment.
 */
export async function createStripeSchool(
  services: Services, settings: Record<string, unknown> = {}, options: { enabled?: boolean; secretKey?: string | null } = {},
): Promise<StripeSchool> {
  const tenantId = await createTenant(services.db);
  const secretKey = `sk_test_51${rand(40)}`;
  const credentials: Record<string, unknown> = { webhookSecret: WEBHOOK_SECRET, publishableKey: `pk_test_51${rand(40)}` };
  if (options.secretKey !== null) credentials.secretKey = options.secretKey ?? secretKey;
  await configureIntegration(services, tenantId, "stripe", credentials, { enabled: options.enabled ?? true, settings });
  return { tenantId, enrollmentId: await createEnrollment(services.db, tenantId), secretKey };
}

/** Delivers one signed Stripe event to the tenant's webhook; throws unless it was applied. */
export async function deliverStripeEvent(services: Services, tenantId: string, type: string, object: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify(stripeEvent(type, object));
  const res = await stripeWebhook(signedStripeRequest(tenantId, body), contextFor(services, { tenantId }));
  const answer = (await res.json()) as { received?: number; failed?: number };
  if (res.status !== 200 || answer.failed) throw new Error(`webhook answered ${res.status} ${JSON.stringify(answer)}`);
}

/** A succeeded enrollment-fee payment of `amount`, recorded from `payment_intent.succeeded`; returns the intent id. */
export async function paidEnrollmentFee(
  services: Services, tenantId: string, enrollmentId: string, fields: { amount?: number; currency?: string; customer?: string; status?: string } = {},
): Promise<string> {
  const id = `pi_3${rand(30)}`;
  const status = fields.status ?? "succeeded";
  await deliverStripeEvent(services, tenantId, `payment_intent.${status}`, {
    id, object: "payment_intent", amount: fields.amount ?? 15_000, currency: fields.currency ?? "usd", status,
    customer: fields.customer ?? `cus_${rand(14)}`, metadata: { enrollment_id: enrollmentId, kind: "enrollment_fee" },
    last_payment_error: null, livemode: false,
  });
  return id;
}

/** A tuition subscription for the enrollment in `status`, recorded from `customer.subscription.created`. */
export async function tuitionSubscription(
  services: Services, tenantId: string, enrollmentId: string, status = "active", customer = `cus_${rand(14)}`,
): Promise<string> {
  const id = `sub_1${rand(24)}`;
  await deliverStripeEvent(services, tenantId, "customer.subscription.created", {
    id, object: "subscription", customer, status, cancel_at_period_end: false, canceled_at: null,
    metadata: { enrollment_id: enrollmentId },
    items: { object: "list", data: [{ id: `si_${rand(14)}`, price: { id: "price_1Tuition" }, current_period_end: Math.floor(Date.now() / 1000) + 30 * 86_400 }] },
  });
  return id;
}
