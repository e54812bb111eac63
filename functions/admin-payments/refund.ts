import type Stripe from "stripe";
import * as z from "zod";
import { writeAudit } from "../_shared/audit.ts";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { isUuid } from "../_shared/http/uuid.ts";
import { fieldErrors } from "../_shared/http/validation.ts";
import { openTenantStripe } from "../_shared/providers/stripe/tenant-account.ts";
import { applyRefundTotal } from "../_shared/domain/payments/payments.ts";
import { upsertRefund } from "../_shared/domain/payments/refunds.ts";
import { refundAnswer } from "./refund-answer.ts";
import {
  findRecentIdenticalRefund, findRefundRequest, lockPayment, recordRefundRequest, refundTotals, type RefundablePayment,
} from "./refund-store.ts";

const RefundBody = z.strictObject({
  amount: z.number().int("must be whole minor units (cents)").positive("must be more than 0").max(99_999_999).optional(),
  reason: z.enum(["duplicate", "fraudulent", "requested_by_customer"], "must be duplicate, fraudulent or requested_by_customer").optional(),
});

// Printable ASCII, as Stripe accepts in its own Idempotency-Key (up to 255 with our prefix).
const CLIENT_KEY = /^[\x21-\x7e]{1,200}$/;

/** Without an Idempotency-Key, the same amount asked again this soon is taken for a double click. */
const DOUBLE_CLICK_SECONDS = 60;

const REFUNDABLE = new Set(["succeeded", "partially_refunded"]);

const notFound = () => new ProblemError({ status: 404, title: "Payment not found", code: "ERR_PAYMENT_NOT_FOUND" });

function refusePayment(payment: RefundablePayment): string {
  if (!REFUNDABLE.has(payment.status)) {
    throw new ProblemError({
      status: 409, title: "Payment cannot be refunded", code: "ERR_NOT_REFUNDABLE",
      detail: `only a succeeded or partially refunded payment can be refunded; this one is ${payment.status}`,
    });
  }
  if (!payment.stripePaymentIntent) {
    throw new ProblemError({
      status: 409, title: "Payment cannot be refunded here", code: "ERR_NO_PAYMENT_INTENT",
      detail: "this payment has no Stripe PaymentIntent to refund; refund it in the Stripe Dashboard",
    });
  }
  return payment.stripePaymentIntent;
}

/**
 * POST /api/admin/payments/{id}/refund `{amount?, reason?}` — a full (no amount) or partial refund through
 * Stripe, never more than what is left (amount − refunded − pending). The payment row is locked, so two
 * refunds of one payment run one after another. Idempotent: a request with an `Idempotency-Key` already
 * used is answered with its refund; without one, the same amount again within a minute is too (a double
 * click), and the key sent to Stripe is derived from (payment, amount, refunded-or-pending so far), so a
 * retry after a crash reuses Stripe's refund while a deliberate second partial refund is a new one.
 * The refund is recorded as Stripe answered (usually pending); the webhook confirms it later.
 */
export async function refundPayment(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const { tenantId } = admin;
  const paymentId = ctx.params.id;
  if (!isUuid(paymentId)) throw notFound();
  const parsed = RefundBody.safeParse((await readJsonBody(req)) ?? {});
  if (!parsed.success) throw new ProblemError({ status: 400, title: "Invalid refund", errors: fieldErrors(parsed.error) });
  const clientKey = req.headers.get("idempotency-key");
  if (clientKey !== null && !CLIENT_KEY.test(clientKey)) {
    throw new ProblemError({ status: 400, title: "Invalid refund", errors: { "Idempotency-Key": ["must be 1 to 200 printable ASCII characters"] } });
  }
  const [exists] = await ctx.db.query("select 1 from payments where tenant_id = $1 and id = $2", [tenantId, paymentId]);
  if (!exists) throw notFound();
  const { stripe } = await openTenantStripe(ctx, tenantId);

  return ctx.db.transaction(async (tx) => {
    const payment = await lockPayment(tx, tenantId, paymentId.toLowerCase());
    if (!payment) throw notFound();
    const scopedClientKey = clientKey === null ? undefined : `refund:${payment.id}:key:${clientKey}`;
    if (scopedClientKey) {
      const earlier = await findRefundRequest(tx, tenantId, scopedClientKey);
      if (earlier) {
        if (parsed.data.amount !== undefined && parsed.data.amount !== earlier.amount) {
          throw new ProblemError({
            status: 409, title: "Idempotency key reused", code: "ERR_IDEMPOTENCY_KEY_REUSED",
            detail: "this Idempotency-Key was used for a refund of another amount",
          });
        }
        return refundAnswer(tx, tenantId, payment, earlier.stripeRefundId, true);
      }
    }

    const paymentIntent = refusePayment(payment);
    const totals = await refundTotals(tx, tenantId, payment);
    const remaining = payment.amount - totals.refunded - totals.pending;
    if (remaining <= 0) {
      throw new ProblemError({
        status: 409, title: "Nothing left to refund", code: "ERR_NOTHING_TO_REFUND",
        detail: "the whole payment is refunded or has a refund pending",
      });
    }
    const amount = parsed.data.amount ?? remaining;
    if (amount > remaining) {
      throw new ProblemError({
        status: 400, title: "Refund exceeds what is left", code: "ERR_REFUND_TOO_LARGE",
        errors: { amount: [`at most ${remaining} (minor units) is left to refund`] },
      });
    }
    if (!scopedClientKey) {
      const recent = await findRecentIdenticalRefund(tx, tenantId, paymentIntent, amount, DOUBLE_CLICK_SECONDS);
      if (recent) return refundAnswer(tx, tenantId, payment, recent.stripeRefundId, true);
    }

    const idempotencyKey = scopedClientKey ?? `refund:${payment.id}:${amount}:${totals.refunded + totals.pending}`;
    const params: Stripe.RefundCreateParams = {
      payment_intent: paymentIntent,
      amount,
      metadata: { payment_id: payment.id, tenant_id: tenantId, requested_by: admin.userId },
      ...(parsed.data.reason ? { reason: parsed.data.reason } : {}),
    };
    const refund = await stripe.refunds.create(params, { idempotencyKey });

    const status = refund.status ?? "pending";
    await upsertRefund(tx, {
      tenantId, refundId: refund.id, paymentIntent, amount: refund.amount, currency: refund.currency, status,
      reason: refund.reason ?? null, eventCreated: refund.created,
    });
    // A refund Stripe already reports as succeeded counts at once, as its webhook will make it count.
    if (status === "succeeded") await applyRefundTotal(tx, tenantId, paymentIntent, 0);
    await recordRefundRequest(tx, tenantId, {
      paymentId: payment.id, idempotencyKey, stripeRefundId: refund.id, amount: refund.amount,
      reason: parsed.data.reason ?? null, requestedBy: admin.userId,
    });
    await writeAudit(tx, {
      tenantId, actor: admin.userId, action: "payment.refund_requested", target: payment.id,
      details: { amount: refund.amount, currency: refund.currency, reason: parsed.data.reason ?? null, stripeRefundId: refund.id, status },
    });
    ctx.log.info("refund requested", { stripeRefundId: refund.id, refundStatus: status });
    return refundAnswer(tx, tenantId, payment, refund.id, false);
  });
}
