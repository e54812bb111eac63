import type { Context } from "../_shared/context.ts";
import { enrollmentNotFound, type AccessibleEnrollment } from "../_shared/domain/enrollments/access.ts";
import { json } from "../_shared/http/responses.ts";
import { CATALOG } from "../_shared/integrations/catalog.ts";
import { loadIntegration } from "../_shared/integrations/store.ts";
import { LIVE_SUBSCRIPTION_STATUSES, loadEnrollmentBilling } from "./enrollment-billing.ts";

/**
 * GET /api/checkout/enrollments/{enrollmentId} — what the student page shows: the enrollment fee (due,
 * processing, paid or not offered), tuition (available, subscribed or not offered) and whether the
 * Billing Portal has anything to manage. Never a key; Stripe is not called.
 */
export async function amountsDue(ctx: Context, enrollment: AccessibleEnrollment): Promise<Response> {
  const billing = await loadEnrollmentBilling(ctx.db, enrollment.tenantId, enrollment.id);
  if (!billing) throw enrollmentNotFound();

  const integration = await loadIntegration(ctx.db, ctx.vault, enrollment.tenantId, "stripe");
  const stripeReady = Boolean(integration?.enabled && integration.credentials.secretKey);
  const parsed = CATALOG.stripe.settings.safeParse(integration?.settings ?? {});
  const settings = parsed.success ? parsed.data : { currency: "usd" as string, enrollmentFeeAmount: undefined, tuitionPriceId: undefined };
  const fee = billing.enrollmentFee;
  const subscribed = billing.subscription !== null && LIVE_SUBSCRIPTION_STATUSES.includes(billing.subscription.status);

  return json({
    enrollment: { id: billing.id, studentName: billing.studentName },
    enrollmentFee: {
      status: fee.state !== "due" ? fee.state : stripeReady && settings.enrollmentFeeAmount ? "due" : "not_offered",
      amount: fee.paidAmount ?? settings.enrollmentFeeAmount ?? null,
      currency: fee.paidCurrency ?? settings.currency,
    },
    tuition: {
      status: subscribed ? "subscribed" : stripeReady && settings.tuitionPriceId ? "available" : "not_offered",
      subscription: billing.subscription && {
        status: billing.subscription.status,
        currentPeriodEnd: billing.subscription.currentPeriodEnd?.toISOString() ?? null,
        cancelAtPeriodEnd: billing.subscription.cancelAtPeriodEnd,
      },
    },
    billingPortal: { available: stripeReady && billing.customer !== null },
  });
}
