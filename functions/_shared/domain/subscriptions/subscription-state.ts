import type { Db } from "../../db/port.ts";

export interface SubscriptionState {
  tenantId: string;
  subscriptionId: string;
  enrollmentId: string | null;
  customer: string | null;
  priceId: string | null;
  status: string;
  currentPeriodEnd: number | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: number | null;
  eventCreated: number;
}

/**
 * Records a subscription's state from a `customer.subscription.*` event. State follows the newest event
 * (subscriptions legitimately go active → past_due → active) and `canceled` is final; an older event
 * changes nothing.
 */
export async function upsertSubscriptionState(tx: Db, s: SubscriptionState): Promise<void> {
  await tx.query(
    `insert into subscriptions (tenant_id, stripe_subscription_id, enrollment_id, stripe_customer, stripe_price_id, status,
                                current_period_end, cancel_at_period_end, canceled_at, source_event_created)
     values ($1, $2, (select id from enrollments where tenant_id = $1 and id = $3::uuid), $4, $5, $6,
             to_timestamp($7), $8, to_timestamp($9), to_timestamp($10))
     on conflict (tenant_id, stripe_subscription_id) do update set
       enrollment_id = coalesce(subscriptions.enrollment_id, excluded.enrollment_id),
       stripe_customer = coalesce(excluded.stripe_customer, subscriptions.stripe_customer),
       stripe_price_id = coalesce(excluded.stripe_price_id, subscriptions.stripe_price_id),
       status = excluded.status,
       current_period_end = excluded.current_period_end,
       cancel_at_period_end = excluded.cancel_at_period_end,
       canceled_at = coalesce(excluded.canceled_at, subscriptions.canceled_at),
       source_event_created = excluded.source_event_created,
       updated_at = now()
     where subscriptions.status <> 'canceled'
       and excluded.source_event_created >= subscriptions.source_event_created`,
    [s.tenantId, s.subscriptionId, s.enrollmentId, s.customer, s.priceId, s.status, s.currentPeriodEnd,
      s.cancelAtPeriodEnd, s.canceledAt, s.eventCreated],
  );
}

/**
 * Links a subscription to its enrollment when Checkout completes, which may happen before or after the
 * subscription's own events. A row created here has time zero, so any real subscription event wins.
 */
export async function linkSubscription(
  tx: Db, link: { tenantId: string; subscriptionId: string; enrollmentId: string | null; customer: string | null },
): Promise<void> {
  await tx.query(
    `insert into subscriptions (tenant_id, stripe_subscription_id, enrollment_id, stripe_customer, status, source_event_created)
     values ($1, $2, (select id from enrollments where tenant_id = $1 and id = $3::uuid), $4, 'incomplete', to_timestamp(0))
     on conflict (tenant_id, stripe_subscription_id) do update set
       enrollment_id = coalesce(subscriptions.enrollment_id, excluded.enrollment_id),
       stripe_customer = coalesce(subscriptions.stripe_customer, excluded.stripe_customer),
       updated_at = now()`,
    [link.tenantId, link.subscriptionId, link.enrollmentId, link.customer],
  );
}
