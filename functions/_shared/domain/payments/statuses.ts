/**
 * Payment statuses and their ranks: a status only replaces one of lower rank, or of equal rank set by an
 * older event (a failed attempt may be followed by a new processing one). So a late
 * `payment_intent.processing` never overwrites `succeeded`, and nothing overwrites a refund.
 */
export const PAYMENT_STATUS_RANK = {
  processing: 1,
  failed: 1,
  canceled: 2,
  succeeded: 2,
  partially_refunded: 3,
  refunded: 4,
} as const;

export type PaymentStatus = keyof typeof PAYMENT_STATUS_RANK;

/** Refund statuses: pending/requires_action are not final; succeeded, failed, canceled are. A Map: statuses are Stripe's data. */
export const REFUND_STATUS_RANK: ReadonlyMap<string, number> = new Map(Object.entries({
  pending: 1,
  requires_action: 1,
  succeeded: 2,
  failed: 2,
  canceled: 2,
}));

/**
 * Stripe's dispute statuses by rank (stripe-node `src/resources/Disputes.ts`; docs.stripe.com/disputes/how-disputes-work):
 * an inquiry (`warning_*`) may escalate to a chargeback under the same id, so the chargeback states rank above
 * it; every closed outcome ranks highest, so a late `charge.dispute.updated` never reopens a decided dispute.
 * A Map: statuses are Stripe's data.
 */
export const DISPUTE_STATUS_RANK: ReadonlyMap<string, number> = new Map(Object.entries({
  warning_needs_response: 1,
  warning_under_review: 2,
  needs_response: 3,
  under_review: 4,
  warning_closed: 5,
  won: 5,
  lost: 5,
  prevented: 5,
}));

/** Disputes below this rank are still open (the health page counts them). */
export const DISPUTE_CLOSED_RANK = 5;
