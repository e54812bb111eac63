import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { sql } from "../_shared/db/sql.ts";
import { validationProblem } from "../_shared/http/validation.ts";
import { PAYMENT_STATUS_RANK, type PaymentStatus } from "../_shared/domain/payments/statuses.ts";
import { createdMicros, historyFilter } from "./history-filter.ts";
import { historyPage, type HistoryFormat, type HistoryRow } from "./history-page.ts";
import { parseListQuery } from "./list-query.ts";

const PAYMENT_STATUSES = Object.keys(PAYMENT_STATUS_RANK) as [PaymentStatus, ...PaymentStatus[]];

/** A payment as admins see it; amounts in minor units of `currency`. */
export interface PaymentView {
  id: string;
  enrollmentId: string | null;
  studentName: string | null;
  kind: string;
  status: string;
  currency: string;
  amount: number;
  /** Confirmed by Stripe (the webhook). */
  amountRefunded: number;
  /** Asked of Stripe and not yet confirmed. */
  amountRefundPending: number;
  stripePaymentIntent: string | null;
  stripeInvoice: string | null;
  stripeCheckoutSession: string | null;
  stripeSubscription: string | null;
  stripeCustomer: string | null;
  failureReason: string | null;
  /** The status of the payment's newest Stripe dispute (`needs_response`, `won`, `lost`…); null: never disputed. */
  disputeStatus: string | null;
  createdAt: string;
  updatedAt: string;
}

interface PaymentRow {
  [column: string]: unknown;
  id: string; enrollment_id: string | null; student_name: string | null; kind: string; status: string; currency: string;
  amount: number; amount_refunded: number; amount_refund_pending: number; stripe_payment_intent: string | null;
  stripe_invoice: string | null; stripe_checkout_session: string | null; stripe_subscription: string | null;
  stripe_customer: string | null; failure_reason: string | null; dispute_status: string | null; created_at: Date; updated_at: Date; created_micros: number;
}

const PAYMENTS_FORMAT: HistoryFormat<PaymentView> = {
  member: "payments",
  filename: "payments.csv",
  header: [
    "id", "created_at", "enrollment_id", "student_name", "kind", "status", "currency", "amount_minor",
    "amount_refunded_minor", "amount_refund_pending_minor", "stripe_payment_intent", "stripe_invoice",
    "stripe_customer", "failure_reason", "dispute_status",
  ],
  cells: (p) => [
    p.id, p.createdAt, p.enrollmentId, p.studentName, p.kind, p.status, p.currency, p.amount, p.amountRefunded,
    p.amountRefundPending, p.stripePaymentIntent, p.stripeInvoice, p.stripeCustomer, p.failureReason, p.disputeStatus,
  ],
};

function paymentRow(row: PaymentRow): HistoryRow<PaymentView> {
  return {
    id: row.id,
    createdMicros: row.created_micros,
    view: {
      id: row.id,
      enrollmentId: row.enrollment_id,
      studentName: row.student_name,
      kind: row.kind,
      status: row.status,
      currency: row.currency,
      amount: row.amount,
      amountRefunded: row.amount_refunded,
      amountRefundPending: row.amount_refund_pending,
      stripePaymentIntent: row.stripe_payment_intent,
      stripeInvoice: row.stripe_invoice,
      stripeCheckoutSession: row.stripe_checkout_session,
      stripeSubscription: row.stripe_subscription,
      stripeCustomer: row.stripe_customer,
      failureReason: row.failure_reason,
      disputeStatus: row.dispute_status,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    },
  };
}

/** GET /api/admin/payments — the tenant's payments, newest first, as JSON pages or a CSV export. */
export async function listPayments(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const parsed = parseListQuery(new URL(req.url), PAYMENT_STATUSES);
  if (!parsed.ok) return validationProblem("Invalid query", parsed.errors);
  const { query } = parsed;
  const statement = sql`
    select p.id, p.enrollment_id, e.student_name, p.kind, p.status, p.currency, p.amount, p.amount_refunded,
           coalesce(pending.amount, 0)::int8 as amount_refund_pending, p.stripe_payment_intent, p.stripe_invoice,
           p.stripe_checkout_session, p.stripe_subscription, p.stripe_customer, p.failure_reason, p.dispute_status, p.created_at,
           p.updated_at, ${createdMicros("p")} as created_micros
      from payments p
      left join enrollments e on e.tenant_id = p.tenant_id and e.id = p.enrollment_id
      left join lateral (
        select sum(r.amount) as amount from refunds r
         where r.tenant_id = p.tenant_id and r.stripe_payment_intent = p.stripe_payment_intent
           and r.status in ('pending', 'requires_action')) pending on true
     where ${historyFilter("p", admin.tenantId, query)}
     order by p.created_at desc, p.id desc
     limit ${query.limit + 1}`;
  const rows = await ctx.db.query<PaymentRow>(statement.text, statement.values);
  return historyPage(rows.map(paymentRow), query, PAYMENTS_FORMAT);
}
