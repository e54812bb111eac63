/**
 * What SendGrid's events say about a message's delivery, ranked so it only moves forward: a late
 * `delivered` never overwrites `opened`. `bounce`, `dropped` and `spamreport` end it (nothing after them
 * changes it). Other events (`unsubscribe`, `group_unsubscribe`, `group_resubscribe`) are recorded in
 * `email_events` without changing the message's delivery status. A Map: event types are data.
 */
export const DELIVERY_STATUS_BY_EVENT: ReadonlyMap<string, { status: string; rank: number }> = new Map(Object.entries({
  processed: { status: "processed", rank: 1 },
  deferred: { status: "deferred", rank: 2 },
  delivered: { status: "delivered", rank: 3 },
  open: { status: "opened", rank: 4 },
  click: { status: "clicked", rank: 5 },
  bounce: { status: "bounce", rank: 9 },
  dropped: { status: "dropped", rank: 9 },
  spamreport: { status: "spamreport", rank: 9 },
}));
