import Stripe from "stripe";
import type { Context } from "../_shared/context.ts";
import type { Db } from "../_shared/db/port.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { enrollmentNotFound } from "../_shared/domain/enrollments/access.ts";
import { checkoutIdempotencyKey } from "./idempotency-key.ts";
import { loadEnrollmentBilling, type EnrollmentBilling } from "./enrollment-billing.ts";
import type { SessionTarget } from "./session-params.ts";
import { countSessions, findOpenSession, markSession, recordSession, type CheckoutKind, type StoredCheckoutSession } from "./session-store.ts";

/** A session with less time left than this is not handed out again: the student could not finish paying. */
const MIN_TIME_LEFT_MS = 15 * 60_000;

export interface CheckoutRequest {
  tenantId: string;
  enrollmentId: string;
  kind: CheckoutKind;
  /** What the session must charge; an open session charging something else (settings changed) is replaced. */
  charge: { amount: number | null; currency: string | null; stripePriceId: string | null };
  /** Throws a `ProblemError` when this enrollment must not start this Checkout (already paid, subscribed). */
  refuse: (billing: EnrollmentBilling) => void;
  params: (target: SessionTarget) => Stripe.Checkout.SessionCreateParams;
}

function charges(session: StoredCheckoutSession, charge: CheckoutRequest["charge"]): boolean {
  return session.amount === charge.amount && session.currency === charge.currency && session.stripePriceId === charge.stripePriceId;
}

/**
 * Stops a session we will not hand out again, so a student holding it in another tab cannot pay twice.
 * Stripe refuses to expire a session that is no longer open: a completed one means a payment is on its way.
 */
async function retire(stripe: Stripe, ctx: Context, tx: Db, tenantId: string, sessionId: string) {
  try {
    await stripe.checkout.sessions.expire(sessionId, {}, { idempotencyKey: `checkout-expire:${sessionId}` });
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
    const session = await stripe.checkout.sessions.retrieve(sessionId);
    if (session.status === "complete") {
      await markSession(tx, tenantId, sessionId, "complete");
      throw new ProblemError({
        status: 409, title: "Payment already made", code: "ERR_PAYMENT_IN_PROGRESS",
        detail: "a Checkout for this enrollment was just completed; it shows here once Stripe confirms it",
      });
    }
  }
  await markSession(tx, tenantId, sessionId, "expired");
  ctx.log.info("checkout session retired", { stripeSessionId: sessionId });
}

/**
 * The Checkout URL for an enrollment: its open session when it still charges what the settings say, else a
 * new one. Runs with the enrollment row locked, so two clicks (two tabs) wait for each other and the
 * second gets the first one's session. The idempotency key counts the sessions opened before and hashes the
 * parameters (checkoutIdempotencyKey), so a retry after a crash between Stripe's answer and our insert gets
 * the same session back from Stripe, and a retry after a price change opens a new one.
 * @example const { url } = await openCheckoutSession(ctx, stripe, request);
 */
export async function openCheckoutSession(ctx: Context, stripe: Stripe, request: CheckoutRequest): Promise<{ url: string; reused: boolean }> {
  const { tenantId, enrollmentId, kind } = request;
  const key = { tenantId, enrollmentId, kind };
  return ctx.db.transaction(async (tx) => {
    const billing = await loadEnrollmentBilling(tx, tenantId, enrollmentId, { lock: true });
    if (!billing) throw enrollmentNotFound();
    request.refuse(billing);

    const open = await findOpenSession(tx, key, ctx.now());
    if (open && charges(open, request.charge) && open.expiresAt.getTime() - ctx.now() >= MIN_TIME_LEFT_MS) {
      return { url: open.url, reused: true };
    }
    if (open) await retire(stripe, ctx, tx, tenantId, open.stripeSessionId);

    const earlier = await countSessions(tx, key);
    const params = request.params({ tenantId, enrollmentId, customer: billing.customer, appUrl: ctx.config.appUrl });
    const session = await stripe.checkout.sessions.create(params, { idempotencyKey: checkoutIdempotencyKey(key, earlier, params) });
    if (!session.url) throw new Error("Stripe returned a Checkout Session without a url");
    await recordSession(tx, key, {
      stripeSessionId: session.id,
      url: session.url,
      ...request.charge,
      expiresAt: new Date(session.expires_at * 1000),
    });
    ctx.log.info("checkout session created", { stripeSessionId: session.id, kind });
    return { url: session.url, reused: false };
  });
}
