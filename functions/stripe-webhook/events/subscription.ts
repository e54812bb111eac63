import { enrollmentIdOf, idOf, integerOf, objectOf, stringOf } from "../fields.ts";
import { linkSubscriptionPayments } from "../../_shared/domain/payments/payments.ts";
import { upsertSubscriptionState } from "../../_shared/domain/subscriptions/subscription-state.ts";
import type { StripeEventEffect } from "./types.ts";

/** `customer.subscription.created|updated|deleted` → `subscriptions` (deleted is final: `canceled`). */
export const onSubscription: StripeEventEffect = (tenantId, event) => {
  const subscription = event.data.object;
  const subscriptionId = idOf(subscription.id);
  if (!subscriptionId) return undefined;
  const items = objectOf(subscription.items).data;
  const firstItem = objectOf(Array.isArray(items) ? items[0] : undefined);
  const state = {
    tenantId,
    subscriptionId,
    enrollmentId: enrollmentIdOf(subscription.metadata),
    customer: idOf(subscription.customer),
    priceId: idOf(firstItem.price),
    status: event.type === "customer.subscription.deleted" ? "canceled" : (stringOf(subscription.status) ?? "incomplete"),
    // Moved from the subscription to its items in API version 2025-03-31.
    currentPeriodEnd: integerOf(subscription.current_period_end) ?? integerOf(firstItem.current_period_end),
    cancelAtPeriodEnd: subscription.cancel_at_period_end === true,
    canceledAt: integerOf(subscription.canceled_at),
    eventCreated: event.created,
  };
  return {
    apply: async (tx) => {
      await upsertSubscriptionState(tx, state);
      await linkSubscriptionPayments(tx, tenantId, subscriptionId);
    },
  };
};
