import type { Db } from "../../db/port.ts";
import { raw, sql, type Statement } from "../../db/sql.ts";
import { disputeStatusOf } from "./disputes.ts";
import { PAYMENT_STATUS_RANK, type PaymentStatus } from "./statuses.ts";

export interface PaymentUpsert {
  tenantId: string;
  /** From metadata; linked only when it is an enrollment of this tenant. */
  enrollmentId: string | null;
  /** A tuition payment's subscription: links it to the subscription's enrollment, now or once known. */
  subscriptionId?: string | null;
  /** `enrollment_fee` falls back to `other` when the enrollment is not this tenant's. */
  kind: "enrollment_fee" | "tuition" | "other";
  paymentIntent: string | null;
  invoice?: string | null;
  checkoutSession?: string | null;
  customer: string | null;
  amount: number;
  currency: string;
  status: PaymentStatus;
  failureReason?: string | null;
  /** `event.created` (seconds) of the event that says this. */
  eventCreated: number;
}

const TRUE = sql`true`;

/**
 * The upsert of one payment as a single statement that changes nothing unless `gate` holds (see
 * EventEffect). Status moves only forward: (rank, event time) must not go back. Links (enrollment,
 * invoice, session, subscription, customer) are filled in whenever they become known. A payment first
 * seen after some of its refunds starts out with them counted and its status derived from them, and one seen
 * after its disputes with its newest dispute's status.
 */
export function upsertPaymentStatement(
  p: PaymentUpsert, gate: Statement = TRUE, conflictOn: "intent" | "invoice" = p.paymentIntent ? "intent" : "invoice",
): Statement {
  const rank = PAYMENT_STATUS_RANK[p.status];
  const newer = raw("(excluded.status_rank, excluded.source_event_created) >= (payments.status_rank, payments.source_event_created)");
  return sql`
    insert into payments (tenant_id, enrollment_id, kind, stripe_payment_intent, stripe_invoice, stripe_checkout_session,
                          stripe_subscription, stripe_customer, amount, currency, status, status_rank, failure_reason,
                          source_event_created, amount_refunded, dispute_status)
    select ${p.tenantId}, linked.enrollment_id,
           case when ${p.kind}::text = 'enrollment_fee' and linked.enrollment_id is null then 'other' else ${p.kind}::text end,
           ${p.paymentIntent}, ${p.invoice ?? null}, ${p.checkoutSession ?? null}, ${p.subscriptionId ?? null}, ${p.customer},
           ${p.amount}::bigint, ${p.currency},
           case when earlier.refunded > 0 and earlier.refunded >= ${p.amount}::bigint then 'refunded'
                when earlier.refunded > 0 then 'partially_refunded' else ${p.status}::text end,
           case when earlier.refunded > 0 and earlier.refunded >= ${p.amount}::bigint then ${PAYMENT_STATUS_RANK.refunded}::smallint
                when earlier.refunded > 0 then greatest(${rank}::smallint, ${PAYMENT_STATUS_RANK.partially_refunded}::smallint)
                else ${rank}::smallint end,
           ${p.failureReason ?? null}, to_timestamp(${p.eventCreated}), earlier.refunded, disputed.status
      from (select coalesce(
                     (select id from enrollments where tenant_id = ${p.tenantId} and id = ${p.enrollmentId}::uuid),
                     (select enrollment_id from subscriptions
                       where tenant_id = ${p.tenantId} and stripe_subscription_id = ${p.subscriptionId ?? null})) as enrollment_id) linked,
           (select coalesce(sum(amount), 0)::bigint as refunded from refunds
             where tenant_id = ${p.tenantId} and stripe_payment_intent = ${p.paymentIntent} and status = 'succeeded') earlier,
           (select ${raw(disputeStatusOf("pending"))} as status
              from (select ${p.tenantId}::uuid as tenant_id, ${p.paymentIntent}::text as stripe_payment_intent) pending) disputed
     where ${gate}
    on conflict (tenant_id, ${raw(conflictOn === "intent" ? "stripe_payment_intent" : "stripe_invoice")}) do update set
      enrollment_id = coalesce(payments.enrollment_id, excluded.enrollment_id),
      kind = case when payments.kind = 'other' then excluded.kind else payments.kind end,
      stripe_payment_intent = coalesce(payments.stripe_payment_intent, excluded.stripe_payment_intent),
      stripe_invoice = coalesce(payments.stripe_invoice, excluded.stripe_invoice),
      stripe_checkout_session = coalesce(payments.stripe_checkout_session, excluded.stripe_checkout_session),
      stripe_subscription = coalesce(payments.stripe_subscription, excluded.stripe_subscription),
      stripe_customer = coalesce(payments.stripe_customer, excluded.stripe_customer),
      amount = case when ${newer} then excluded.amount else payments.amount end,
      status = case when ${newer} then excluded.status else payments.status end,
      failure_reason = case when ${newer} then excluded.failure_reason else payments.failure_reason end,
      status_rank = greatest(payments.status_rank, excluded.status_rank),
      source_event_created = greatest(payments.source_event_created, excluded.source_event_created),
      dispute_status = coalesce(excluded.dispute_status, payments.dispute_status),
      updated_at = now()`;
}

/**
 * Creates or advances a payment inside a transaction (effects made of several statements).
 * @example await upsertPayment(tx, { tenantId, paymentIntent: pi.id, status: "succeeded", ... });
 */
export async function upsertPayment(tx: Db, p: PaymentUpsert, conflictOn?: "intent" | "invoice"): Promise<void> {
  const statement = upsertPaymentStatement(p, TRUE, conflictOn);
  await tx.query(statement.text, statement.values);
}

/**
 * Since API version 2025-03-31 an invoice no longer names its PaymentIntent, so `invoice.paid` (keyed by
 * invoice) and `payment_intent.succeeded` (keyed by intent) would make two rows for one tuition payment.
 * `invoice_payment.paid` names both: the intent's row, if any, is folded into the invoice's, keeping the
 * state that is further along and any refunds.
 */
export async function attachIntentToInvoice(
  tx: Db,
  p: Omit<PaymentUpsert, "kind" | "enrollmentId" | "customer"> & { paymentIntent: string; invoice: string },
): Promise<void> {
  const [orphan] = await tx.query<{
    enrollment_id: string | null; stripe_customer: string | null; status: PaymentStatus; status_rank: number;
    amount_refunded: number; created: number;
  }>(
    `delete from payments where tenant_id = $1 and stripe_payment_intent = $2 and stripe_invoice is null
     returning enrollment_id, stripe_customer, status, status_rank, amount_refunded,
               extract(epoch from source_event_created)::float8 as created`,
    [p.tenantId, p.paymentIntent],
  );
  const orphanIsAhead = orphan !== undefined &&
    (orphan.status_rank > PAYMENT_STATUS_RANK[p.status] ||
      (orphan.status_rank === PAYMENT_STATUS_RANK[p.status] && orphan.created > p.eventCreated));
  await upsertPayment(tx, {
    ...p,
    kind: "tuition",
    enrollmentId: orphan?.enrollment_id ?? null,
    customer: orphan?.stripe_customer ?? null,
    ...(orphanIsAhead ? { status: orphan.status, eventCreated: orphan.created } : {}),
  }, "invoice");
  if (orphan && orphan.amount_refunded > 0) await applyRefundTotal(tx, p.tenantId, p.paymentIntent, orphan.amount_refunded);
}

/** Links tuition payments to their subscription's enrollment once that link is known. */
export async function linkSubscriptionPayments(tx: Db, tenantId: string, subscriptionId: string): Promise<void> {
  await tx.query(
    `update payments p set enrollment_id = s.enrollment_id, updated_at = now()
       from subscriptions s
      where s.tenant_id = $1 and s.stripe_subscription_id = $2 and s.enrollment_id is not null
        and p.tenant_id = $1 and p.stripe_subscription = $2 and p.enrollment_id is null`,
    [tenantId, subscriptionId],
  );
}

/**
 * Raises `amount_refunded` to the larger of what is stored, `floor` (a charge's cumulative
 * `amount_refunded`) and the sum of succeeded refunds, and derives `refunded` / `partially_refunded`.
 * Never lowers it, so events in any order converge on the same row.
 */
export async function applyRefundTotal(tx: Db, tenantId: string, paymentIntent: string, floor: number): Promise<void> {
  await tx.query(
    `with total as (
       select greatest(p.amount_refunded, $3::bigint,
                       (select coalesce(sum(r.amount), 0) from refunds r
                         where r.tenant_id = p.tenant_id and r.stripe_payment_intent = p.stripe_payment_intent
                           and r.status = 'succeeded')) as refunded, p.id
         from payments p where p.tenant_id = $1 and p.stripe_payment_intent = $2
     )
     update payments p set
       amount_refunded = total.refunded,
       status = case when total.refunded > 0 and total.refunded >= p.amount then 'refunded'
                     when total.refunded > 0 and p.status_rank <= ${PAYMENT_STATUS_RANK.partially_refunded} then 'partially_refunded'
                     else p.status end,
       status_rank = case when total.refunded > 0 and total.refunded >= p.amount then ${PAYMENT_STATUS_RANK.refunded}
                          when total.refunded > 0 then greatest(p.status_rank, ${PAYMENT_STATUS_RANK.partially_refunded})
                          else p.status_rank end,
       updated_at = now()
     from total where p.id = total.id and total.refunded <> p.amount_refunded
        or p.id = total.id and total.refunded > 0 and p.status_rank < ${PAYMENT_STATUS_RANK.partially_refunded}`,
    [tenantId, paymentIntent, floor],
  );
}
