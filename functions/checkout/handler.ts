// checkout: POST /api/checkout/enrollment-fee, POST /api/checkout/tuition, POST /api/billing/portal,
//           GET /api/checkout/enrollments/{enrollmentId}
// A student or guardian pays for its own enrollment through Stripe's hosted Checkout (the one-time
// enrollment fee, or a monthly tuition subscription) and manages it in Stripe's Billing Portal; a school's
// admin may do so for any enrollment of the school. Every route goes through the shared enrollment guard
// (enrollmentHandler): another family's or another school's enrollment is not found, and Stripe is not
// called. Payments themselves are recorded by the stripe-webhook function when Stripe reports them; this
// function only opens sessions.
import { enrollmentHandler } from "../_shared/http/enrollment-handler.ts";
import { problem } from "../_shared/http/responses.ts";
import { stripeErrorProblem } from "../_shared/providers/stripe/errors.ts";
import { amountsDue } from "./amounts-due.ts";
import { openBillingPortal } from "./billing-portal.ts";
import { startEnrollmentFeeCheckout } from "./enrollment-fee.ts";
import { startTuitionCheckout } from "./tuition.ts";

// Matched on the end of the path: Supabase serves the same routes under /checkout/… (see supabaseRoutes).
const POST_ROUTES = [
  { suffix: "/checkout/enrollment-fee", handle: startEnrollmentFeeCheckout },
  { suffix: "/checkout/tuition", handle: startTuitionCheckout },
  { suffix: "/billing/portal", handle: openBillingPortal },
];

export const handler = enrollmentHandler("checkout", async (req, ctx, _user, enrollment) => {
  if ("enrollmentId" in ctx.params) {
    if (req.method !== "GET") return problem({ status: 405, title: "Method not allowed", headers: { allow: "GET" } });
    return amountsDue(ctx, enrollment);
  }
  const path = new URL(req.url).pathname.replace(/\/+$/, "");
  const route = POST_ROUTES.find((r) => path.endsWith(r.suffix));
  if (!route) return problem({ status: 404, title: "Not found" });
  if (req.method !== "POST") return problem({ status: 405, title: "Method not allowed", headers: { allow: "POST" } });
  return route.handle(ctx, enrollment);
}, { errorProblems: [stripeErrorProblem] });
