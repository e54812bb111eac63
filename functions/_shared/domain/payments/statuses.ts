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
