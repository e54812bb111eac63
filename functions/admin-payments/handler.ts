// admin-payments: GET /api/admin/payments, GET /api/admin/subscriptions, POST /api/admin/payments/{id}/refund
// A school's admin reads its payment and subscription history (newest first, paged, or as CSV) and refunds
// a payment through Stripe. Only ever the admin's own tenant: another tenant's payment is not found.
// A refund is recorded as Stripe answers it (pending); the stripe-webhook function confirms it later.
import { adminHandler } from "../_shared/http/admin-handler.ts";
import { problem } from "../_shared/http/responses.ts";
import { stripeErrorProblem } from "../_shared/providers/stripe/errors.ts";
import { listPayments } from "./payments-list.ts";
import { refundPayment } from "./refund.ts";
import { listSubscriptions } from "./subscriptions-list.ts";

export const handler = adminHandler("admin-payments", async (req, ctx, admin) => {
  if ("id" in ctx.params) {
    if (req.method !== "POST") return problem({ status: 405, title: "Method not allowed", headers: { allow: "POST" } });
    return refundPayment(req, ctx, admin);
  }
  if (req.method !== "GET") return problem({ status: 405, title: "Method not allowed", headers: { allow: "GET" } });
  // Matched on the end of the path: Supabase serves the same routes under /admin-payments/….
  const path = new URL(req.url).pathname.replace(/\/+$/, "");
  return path.endsWith("/subscriptions") ? listSubscriptions(req, ctx, admin) : listPayments(req, ctx, admin);
}, { errorProblems: [stripeErrorProblem] });
