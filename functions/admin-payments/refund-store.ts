import type { Db } from "../_shared/db/port.ts";

/** A payment as a refund needs it, read with its row locked so refunds of one payment run one at a time. */
export interface RefundablePayment {
  id: string;
  enrollmentId: string | null;
  status: string;
  amount: number;
  amountRefunded: number;
  currency: string;
  stripePaymentIntent: string | null;
}

/** @example const payment = await lockPayment(tx, tenantId, paymentId); */
export async function lockPayment(db: Db, tenantId: string, paymentId: string): Promise<RefundablePayment | undefined> {
  const [row] = await db.query<{
    id: string; enrollment_id: string | null; status: string; amount: number; amount_refunded: number; currency: string;
    stripe_payment_intent: string | null;
  }>(
    `select id, enrollment_id, status, amount, amount_refunded, currency, stripe_payment_intent
       from payments where tenant_id = $1 and id = $2 for update`,
    [tenantId, paymentId],
  );
  return row && {
    id: row.id,
    enrollmentId: row.enrollment_id,
    status: row.status,
    amount: row.amount,
    amountRefunded: row.amount_refunded,
    currency: row.currency,
    stripePaymentIntent: row.stripe_payment_intent,
  };
}

/**
 * What is already refunded (confirmed) and what is asked and not yet confirmed (`pending`,
 * `requires_action`) on a PaymentIntent. Confirmed is never less than the payment's `amount_refunded`.
 */
export async function refundTotals(db: Db, tenantId: string, payment: RefundablePayment): Promise<{ refunded: number; pending: number }> {
  const [row] = await db.query<{ succeeded: number; pending: number }>(
    `select coalesce(sum(amount) filter (where status = 'succeeded'), 0)::int8 as succeeded,
            coalesce(sum(amount) filter (where status in ('pending', 'requires_action')), 0)::int8 as pending
       from refunds where tenant_id = $1 and stripe_payment_intent = $2`,
    [tenantId, payment.stripePaymentIntent],
  );
  return { refunded: Math.max(payment.amountRefunded, row?.succeeded ?? 0), pending: row?.pending ?? 0 };
}

/** A refund as stored in `refunds` (Stripe's answer, then the webhook's updates). */
export interface StoredRefund {
  stripeRefundId: string;
  amount: number;
  currency: string;
  status: string;
  reason: string | null;
  createdAt: Date;
}

const REFUND_COLUMNS = "stripe_refund_id, amount, currency, status, reason, created_at";
type RefundRow = { stripe_refund_id: string; amount: number; currency: string; status: string; reason: string | null; created_at: Date };
const fromRow = (row: RefundRow): StoredRefund => ({
  stripeRefundId: row.stripe_refund_id, amount: row.amount, currency: row.currency, status: row.status, reason: row.reason, createdAt: row.created_at,
});

export async function findRefund(db: Db, tenantId: string, stripeRefundId: string): Promise<StoredRefund | undefined> {
  const [row] = await db.query<RefundRow>(`select ${REFUND_COLUMNS} from refunds where tenant_id = $1 and stripe_refund_id = $2`, [tenantId, stripeRefundId]);
  return row && fromRow(row);
}

/**
 * A refund of exactly `amount` on this PaymentIntent that Stripe has not refused and that was recorded in
 * the last `seconds`: what a double click (or a retry after our first answer was lost) looks like.
 */
export async function findRecentIdenticalRefund(
  db: Db, tenantId: string, paymentIntent: string, amount: number, seconds: number,
): Promise<StoredRefund | undefined> {
  const [row] = await db.query<RefundRow>(
    `select ${REFUND_COLUMNS} from refunds
      where tenant_id = $1 and stripe_payment_intent = $2 and amount = $3
        and status in ('pending', 'requires_action', 'succeeded')
        and created_at > now() - make_interval(secs => $4)
      order by created_at desc limit 1`,
    [tenantId, paymentIntent, amount, seconds],
  );
  return row && fromRow(row);
}

/** An admin's refund request, keyed by the idempotency key it was sent to Stripe with. */
export interface RefundRequest {
  paymentId: string;
  idempotencyKey: string;
  stripeRefundId: string;
  amount: number;
  reason: string | null;
  requestedBy: string;
}

export async function findRefundRequest(db: Db, tenantId: string, idempotencyKey: string): Promise<RefundRequest | undefined> {
  const [row] = await db.query<{ payment_id: string; stripe_refund_id: string; amount: number; reason: string | null; requested_by: string }>(
    "select payment_id, stripe_refund_id, amount, reason, requested_by from refund_requests where tenant_id = $1 and idempotency_key = $2",
    [tenantId, idempotencyKey],
  );
  return row && {
    paymentId: row.payment_id, idempotencyKey, stripeRefundId: row.stripe_refund_id, amount: row.amount, reason: row.reason, requestedBy: row.requested_by,
  };
}

export async function recordRefundRequest(db: Db, tenantId: string, request: RefundRequest): Promise<void> {
  await db.query(
    `insert into refund_requests (tenant_id, payment_id, idempotency_key, stripe_refund_id, amount, reason, requested_by)
     values ($1, $2, $3, $4, $5, $6, $7) on conflict (tenant_id, idempotency_key) do nothing`,
    [tenantId, request.paymentId, request.idempotencyKey, request.stripeRefundId, request.amount, request.reason, request.requestedBy],
  );
}
