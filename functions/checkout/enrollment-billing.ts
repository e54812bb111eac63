import type { Db } from "../_shared/db/port.ts";

/** Where an enrollment's one-time fee stands: `paid` also covers a partly refunded fee; a fully refunded one is due again. */
export type EnrollmentFeeState = "due" | "processing" | "paid";

/** Subscription statuses that mean tuition is already being billed: no second subscription. */
export const LIVE_SUBSCRIPTION_STATUSES: readonly string[] = ["active", "trialing", "past_due"];
const LIVE_SQL = LIVE_SUBSCRIPTION_STATUSES.map((status) => `'${status}'`).join(", ");

export interface EnrollmentBilling {
  id: string;
  studentName: string | null;
  enrollmentFee: { state: EnrollmentFeeState; paidAmount: number | null; paidCurrency: string | null };
  /** The subscription that bills tuition now, else the most recent one (canceled, incomplete), else null. */
  subscription: { id: string; status: string; currentPeriodEnd: Date | null; cancelAtPeriodEnd: boolean } | null;
  /** The Stripe customer who paid for this enrollment most recently (for the Billing Portal and new sessions). */
  customer: string | null;
}

/**
 * An enrollment of `tenantId` and where its payments stand; `undefined` when the tenant has no such
 * enrollment (any more: the caller's access was checked by the enrollment guard before). With `lock`, the enrollment row is locked until the transaction ends: every Checkout for
 * one enrollment then runs one after another.
 * @example const billing = await loadEnrollmentBilling(tx, tenantId, enrollmentId, { lock: true });
 */
export async function loadEnrollmentBilling(
  db: Db, tenantId: string, enrollmentId: string, options: { lock?: boolean } = {},
): Promise<EnrollmentBilling | undefined> {
  const [enrollment] = await db.query<{ id: string; student_name: string | null }>(
    `select id, student_name from enrollments where tenant_id = $1 and id = $2${options.lock ? " for update" : ""}`,
    [tenantId, enrollmentId],
  );
  if (!enrollment) return undefined;

  const fees = await db.query<{ status: string; amount: number; currency: string }>(
    `select status, amount, currency from payments
      where tenant_id = $1 and enrollment_id = $2 and kind = 'enrollment_fee'
        and status in ('succeeded', 'partially_refunded', 'processing')
      order by case when status = 'processing' then 1 else 0 end, created_at desc`,
    [tenantId, enrollmentId],
  );
  const paid = fees.find((fee) => fee.status !== "processing");
  const state: EnrollmentFeeState = paid ? "paid" : fees.length ? "processing" : "due";

  const [subscription] = await db.query<{
    stripe_subscription_id: string; status: string; current_period_end: Date | null; cancel_at_period_end: boolean;
  }>(
    `select stripe_subscription_id, status, current_period_end, cancel_at_period_end from subscriptions
      where tenant_id = $1 and enrollment_id = $2
      order by status in (${LIVE_SQL}) desc, updated_at desc limit 1`,
    [tenantId, enrollmentId],
  );

  const [customer] = await db.query<{ stripe_customer: string }>(
    `select stripe_customer from (
       select stripe_customer, updated_at from subscriptions where tenant_id = $1 and enrollment_id = $2 and stripe_customer is not null
       union all
       select stripe_customer, updated_at from payments where tenant_id = $1 and enrollment_id = $2 and stripe_customer is not null
     ) known order by updated_at desc limit 1`,
    [tenantId, enrollmentId],
  );

  return {
    id: enrollment.id,
    studentName: enrollment.student_name,
    enrollmentFee: { state, paidAmount: paid?.amount ?? null, paidCurrency: paid?.currency ?? null },
    subscription: subscription
      ? {
        id: subscription.stripe_subscription_id,
        status: subscription.status,
        currentPeriodEnd: subscription.current_period_end,
        cancelAtPeriodEnd: subscription.cancel_at_period_end,
      }
      : null,
    customer: customer?.stripe_customer ?? null,
  };
}
