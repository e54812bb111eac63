import type { Context } from "../_shared/context.ts";
import type { AccessibleEnrollment } from "../_shared/domain/enrollments/access.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { json } from "../_shared/http/responses.ts";
import { openTenantStripe } from "../_shared/providers/stripe/tenant-account.ts";
import { openCheckoutSession } from "./open-session.ts";
import { enrollmentFeeSession } from "./session-params.ts";

/** POST /api/checkout/enrollment-fee `{enrollmentId}` → `{url}` of a Checkout for the school's enrollment fee. */
export async function startEnrollmentFeeCheckout(ctx: Context, enrollment: AccessibleEnrollment): Promise<Response> {
  const { id: enrollmentId, tenantId } = enrollment;
  const { stripe, settings } = await openTenantStripe(ctx, tenantId);
  const amount = settings.enrollmentFeeAmount;
  if (!amount) {
    throw new ProblemError({
      status: 409, title: "No enrollment fee", code: "ERR_ENROLLMENT_FEE_NOT_SET",
      detail: "this school's Stripe settings have no enrollmentFeeAmount",
    });
  }
  const { url, reused } = await openCheckoutSession(ctx, stripe, {
    tenantId,
    enrollmentId,
    kind: "enrollment_fee",
    charge: { amount, currency: settings.currency, stripePriceId: null },
    refuse: (billing) => {
      if (billing.enrollmentFee.state === "paid") {
        throw new ProblemError({ status: 409, title: "Enrollment fee already paid", code: "ERR_ALREADY_PAID" });
      }
      if (billing.enrollmentFee.state === "processing") {
        throw new ProblemError({
          status: 409, title: "Enrollment fee payment in progress", code: "ERR_PAYMENT_IN_PROGRESS",
          detail: "a payment of the enrollment fee is being processed; it shows here once Stripe confirms it",
        });
      }
    },
    params: (target) => enrollmentFeeSession(target, amount, settings.currency),
  });
  return json({ url, reused });
}
