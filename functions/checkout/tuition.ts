import type { Context } from "../_shared/context.ts";
import type { AccessibleEnrollment } from "../_shared/domain/enrollments/access.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { json } from "../_shared/http/responses.ts";
import { isMissingPrice } from "../_shared/providers/stripe/errors.ts";
import { openTenantStripe } from "../_shared/providers/stripe/tenant-account.ts";
import { LIVE_SUBSCRIPTION_STATUSES } from "./enrollment-billing.ts";
import { openCheckoutSession } from "./open-session.ts";
import { tuitionSession } from "./session-params.ts";

/** POST /api/checkout/tuition `{enrollmentId}` → `{url}` of a Checkout that subscribes to the school's tuition price. */
export async function startTuitionCheckout(ctx: Context, enrollment: AccessibleEnrollment): Promise<Response> {
  const { id: enrollmentId, tenantId } = enrollment;
  const { stripe, settings } = await openTenantStripe(ctx, tenantId);
  const priceId = settings.tuitionPriceId;
  if (!priceId) {
    throw new ProblemError({
      status: 409, title: "Tuition is not set up", code: "ERR_TUITION_PRICE_NOT_SET",
      detail: "this school's Stripe settings have no tuitionPriceId; an admin must set it to the monthly tuition price (price_…)",
    });
  }
  try {
    const { url, reused } = await openCheckoutSession(ctx, stripe, {
      tenantId,
      enrollmentId,
      kind: "tuition",
      charge: { amount: null, currency: null, stripePriceId: priceId },
      refuse: (billing) => {
        if (billing.subscription && LIVE_SUBSCRIPTION_STATUSES.includes(billing.subscription.status)) {
          throw new ProblemError({
            status: 409, title: "Tuition subscription already exists", code: "ERR_ALREADY_SUBSCRIBED",
            detail: `this enrollment's tuition subscription is ${billing.subscription.status}; manage it in the billing portal`,
          });
        }
      },
      params: (target) => tuitionSession(target, priceId),
    });
    return json({ url, reused });
  } catch (error) {
    if (!isMissingPrice(error)) throw error;
    throw new ProblemError({
      status: 409, title: "Tuition price not found", code: "stripe_invalid_request_error: resource_missing",
      detail: `tuitionPriceId ${priceId} was not found in Stripe (in this account and mode); an admin must correct the school's Stripe settings`,
    });
  }
}
