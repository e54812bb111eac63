// What the load run sends and what the database must hold afterwards. Events come in "stories" about one
// Stripe object — a payment (sometimes processing first, sometimes failed), a payment refunded in part
// (refund created, refund succeeded, charge refunded), a tuition subscription changing state — spread over
// several tenants. Each story's expected end state is known, whatever order its events arrive in, because
// statuses only move forward and later events carry later `created` times.
import {
  chargeRefundedObject, paymentIntentObject, refundObject, stripeEventEnvelope, subscriptionObject,
} from "../simulate/stripe-objects.ts";

export interface LoadTenant {
  id: string;
  webhookSecret: string;
  enrollmentIds: string[];
}

export interface LoadEvent {
  /** Index in the scenario: the event's identity for the run. */
  index: number;
  tenantId: string;
  eventId: string;
  /** The exact bytes delivered (and re-delivered). */
  body: string;
}

export interface ExpectedPayment {
  tenantId: string;
  status: string;
  amountRefunded: number;
}

export interface ExpectedState {
  /** By payment intent id. */
  payments: Map<string, ExpectedPayment>;
  /** Refund ids, each to be one row. */
  refunds: Map<string, { tenantId: string }>;
  /** By subscription id: the status of its newest event. */
  subscriptions: Map<string, { tenantId: string; status: string }>;
}

export interface Scenario {
  events: LoadEvent[];
  expected: ExpectedState;
  /** Every event id starts with this: how the audit finds this run's events. */
  eventIdPrefix: string;
}

/** One object's events in the order Stripe created them; `created` strictly increases. */
type Story = { type: string; object: Record<string, unknown>; created: number }[];

function paymentStory(intentId: string, enrollmentId: string, amount: number, kind: "paid" | "processing" | "failed", t: number): Story {
  const intent = (status: "succeeded" | "processing" | "requires_payment_method", created: number) =>
    paymentIntentObject({ id: intentId, amount, status, created, enrollmentId, customer: `cus_${intentId.slice(-14)}` });
  if (kind === "failed") return [{ type: "payment_intent.payment_failed", object: intent("requires_payment_method", t), created: t }];
  if (kind === "processing") {
    return [
      { type: "payment_intent.processing", object: intent("processing", t), created: t },
      { type: "payment_intent.succeeded", object: intent("succeeded", t), created: t + 1 },
    ];
  }
  return [{ type: "payment_intent.succeeded", object: intent("succeeded", t), created: t }];
}

function refundStory(intentId: string, refundId: string, enrollmentId: string, amount: number, t: number): Story {
  const refunded = Math.floor(amount / 3);
  return [
    ...paymentStory(intentId, enrollmentId, amount, "paid", t),
    { type: "refund.created", object: refundObject({ id: refundId, paymentIntent: intentId, amount: refunded, status: "pending", created: t + 1 }), created: t + 1 },
    { type: "refund.updated", object: refundObject({ id: refundId, paymentIntent: intentId, amount: refunded, status: "succeeded", created: t + 1 }), created: t + 2 },
    { type: "charge.refunded", object: chargeRefundedObject({ paymentIntent: intentId, amount, amountRefunded: refunded, created: t }), created: t + 3 },
  ];
}

function subscriptionStory(subscriptionId: string, enrollmentId: string, t: number): Story {
  const state = (status: string) => subscriptionObject({ id: subscriptionId, status, enrollmentId, created: t, periodEnd: t + 30 * 86_400 });
  return [
    { type: "customer.subscription.created", object: state("incomplete"), created: t },
    { type: "customer.subscription.updated", object: state("active"), created: t + 1 },
    { type: "customer.subscription.updated", object: state("past_due"), created: t + 2 },
  ];
}

/** The end state a story's first `count` events leave. */
function expect(expected: ExpectedState, tenantId: string, kind: string, ids: { intent: string; refund: string; subscription: string }, story: Story, count: number): void {
  const delivered = story.slice(0, count);
  if (kind === "subscription") {
    expected.subscriptions.set(ids.subscription, { tenantId, status: String(delivered.at(-1)!.object.status) });
    return;
  }
  const types = delivered.map((e) => e.type);
  let status = kind === "failed" ? "failed" : types.includes("payment_intent.succeeded") ? "succeeded" : "processing";
  let amountRefunded = 0;
  if (types.includes("refund.updated") || types.includes("charge.refunded")) {
    const refund = delivered.find((e) => e.type === "refund.updated" || e.type === "charge.refunded")!.object;
    amountRefunded = Number(refund.amount_refunded ?? refund.amount);
    status = "partially_refunded";
  }
  expected.payments.set(ids.intent, { tenantId, status, amountRefunded });
  if (types.includes("refund.created") || types.includes("refund.updated")) expected.refunds.set(ids.refund, { tenantId });
}

const STORY_KINDS = [
  ["paid", 40], ["processing", 15], ["failed", 10], ["refund", 15], ["subscription", 20],
] as const;

function pickKind(random: () => number): (typeof STORY_KINDS)[number][0] {
  let roll = random() * 100;
  for (const [kind, weight] of STORY_KINDS) {
    if ((roll -= weight) < 0) return kind;
  }
  return "paid";
}

/**
 * Exactly `count` distinct events over `tenants`, with the state they must leave. Ids embed `runId`, so
 * runs on one database never collide. The last story may be cut short; its expected state says so.
 */
export function buildScenario(runId: string, tenants: readonly LoadTenant[], count: number, random: () => number, nowSeconds: number): Scenario {
  const eventIdPrefix = `evt_load_${runId}_`;
  const expected: ExpectedState = { payments: new Map(), refunds: new Map(), subscriptions: new Map() };
  const events: LoadEvent[] = [];
  for (let storyIndex = 0; events.length < count; storyIndex++) {
    const tenant = tenants[storyIndex % tenants.length]!;
    const enrollmentId = tenant.enrollmentIds[Math.floor(storyIndex / tenants.length) % tenant.enrollmentIds.length]!;
    const ids = { intent: `pi_load_${runId}_${storyIndex}`, refund: `re_load_${runId}_${storyIndex}`, subscription: `sub_load_${runId}_${storyIndex}` };
    const kind = pickKind(random);
    const amount = 10_000 + Math.floor(random() * 90) * 500;
    // Spread over the last day, a few seconds per story so each story's events are strictly ordered.
    const t = nowSeconds - 86_400 + storyIndex * 5;
    const story = kind === "subscription" ? subscriptionStory(ids.subscription, enrollmentId, t)
      : kind === "refund" ? refundStory(ids.intent, ids.refund, enrollmentId, amount, t)
      : paymentStory(ids.intent, enrollmentId, amount, kind, t);
    const take = Math.min(story.length, count - events.length);
    expect(expected, tenant.id, kind, ids, story, take);
    for (const { type, object, created } of story.slice(0, take)) {
      const eventId = `${eventIdPrefix}${events.length}`;
      const envelope = stripeEventEnvelope(type, object, { id: eventId, created });
      events.push({ index: events.length, tenantId: tenant.id, eventId, body: JSON.stringify(envelope) });
    }
  }
  return { events, expected, eventIdPrefix };
}
