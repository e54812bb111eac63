import type { Db } from "../_shared/db/port.ts";
import { json } from "../_shared/http/responses.ts";
import { findRefund, refundTotals, type RefundablePayment, type StoredRefund } from "./refund-store.ts";

function refundView(paymentId: string, refund: StoredRefund) {
  return {
    id: refund.stripeRefundId, paymentId, amount: refund.amount, currency: refund.currency, status: refund.status,
    reason: refund.reason, createdAt: refund.createdAt.toISOString(),
  };
}

/**
 * The answer to a refund request: the refund as stored now, and the payment with what is refunded and
 * pending — 201 for a refund just made, 200 for a request answered with an earlier one (`replayed`).
 */
export async function refundAnswer(tx: Db, tenantId: string, payment: RefundablePayment, stripeRefundId: string, replayed: boolean): Promise<Response> {
  const refund = await findRefund(tx, tenantId, stripeRefundId);
  if (!refund) throw new Error("refund row missing after recording it");
  const [after] = await tx.query<{ status: string; amount_refunded: number }>(
    "select status, amount_refunded from payments where tenant_id = $1 and id = $2", [tenantId, payment.id],
  );
  const totals = await refundTotals(tx, tenantId, { ...payment, amountRefunded: after?.amount_refunded ?? payment.amountRefunded });
  return json({
    refund: refundView(payment.id, refund),
    payment: {
      id: payment.id, status: after?.status ?? payment.status, currency: payment.currency, amount: payment.amount,
      amountRefunded: totals.refunded, amountRefundPending: totals.pending,
    },
    replayed,
  }, { status: replayed ? 200 : 201 });
}
