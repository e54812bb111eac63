// checkout: POST /api/checkout/enrollment-fee, POST /api/checkout/tuition, POST /api/billing/portal,
//           GET /api/checkout/enrollments/{enrollmentId}
// A signed-in student or parent of a school pays for an enrollment of that school through Stripe's hosted
// Checkout (the one-time enrollment fee, or a monthly tuition subscription) and manages it in Stripe's
// Billing Portal. Another school's enrollment is not found. Payments themselves are recorded by the
// stripe-webhook function when Stripe reports them; this function only opens sessions.
import { problem } from "../_shared/http/responses.ts";
import { userHandler } from "../_shared/http/user-handler.ts";
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

export const handler = userHandler("checkout", async (req, ctx, user) => {
  if ("enrollmentId" in ctx.params) {
    if (req.method !== "GET") return problem({ status: 405, title: "Method not allowed", headers: { allow: "GET" } });
    return amountsDue(ctx, user, ctx.params.enrollmentId);
  }
  const path = new URL(req.url).pathname.replace(/\/+$/, "");
  const route = POST_ROUTES.find((r) => path.endsWith(r.suffix));
  if (!route) return problem({ status: 404, title: "Not found" });
  if (req.method !== "POST") return problem({ status: 405, title: "Method not allowed", headers: { allow: "POST" } });
  return route.handle(req, ctx, user);
}, { errorProblems: [stripeErrorProblem] });
