import type { Context } from "../_shared/context.ts";
import { enrollmentNotFound, type AccessibleEnrollment } from "../_shared/domain/enrollments/access.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { json } from "../_shared/http/responses.ts";
import { openTenantStripe } from "../_shared/providers/stripe/tenant-account.ts";
import { loadEnrollmentBilling } from "./enrollment-billing.ts";

/**
 * Portal sessions are short-lived: one per enrollment per minute is reused, so a double click opens the
 * same portal session while a visit later gets a fresh one.
 */
const PORTAL_KEY_WINDOW_MS = 60_000;

/** POST /api/billing/portal `{enrollmentId}` → `{url}` of Stripe's Billing Portal for the enrollment's customer. */
export async function openBillingPortal(ctx: Context, enrollment: AccessibleEnrollment): Promise<Response> {
  const { id: enrollmentId, tenantId } = enrollment;
  const { stripe } = await openTenantStripe(ctx, tenantId);
  const billing = await loadEnrollmentBilling(ctx.db, tenantId, enrollmentId);
  if (!billing) throw enrollmentNotFound();
  if (!billing.customer) {
    throw new ProblemError({
      status: 409, title: "Nothing to manage yet", code: "ERR_NO_STRIPE_CUSTOMER",
      detail: "this enrollment has no payment or subscription with Stripe yet",
    });
  }
  const window = Math.floor(ctx.now() / PORTAL_KEY_WINDOW_MS);
  const session = await stripe.billingPortal.sessions.create(
    { customer: billing.customer, return_url: `${ctx.config.appUrl}/pay/${enrollmentId}` },
    { idempotencyKey: `portal:${tenantId}:${enrollmentId}:${billing.customer}:${window}` },
  );
  return json({ url: session.url });
}
