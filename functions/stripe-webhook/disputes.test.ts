// `charge.dispute.created|updated|closed` → `disputes` (one row per dispute, forward-only by Stripe's dispute
// lifecycle) and the disputed payment's `dispute_status`. Payloads follow the Dispute object
// (docs.stripe.com/api/disputes/object, stripe-node `src/resources/Disputes.ts`), signed by the stripe SDK's
// generateTestHeaderString. Both adapters.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { DbPool } from "../_shared/db/port.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { dispute, paymentIntent, stripeEvent } from "../../tests/support/stripe.ts";
import { createEnrollment, createTenant } from "../../tests/support/tenants.ts";
import { stripeSchool } from "../../tests/support/delivery.ts";
import { handler } from "./handler.ts";

const NOW_MS = 1_790_000_000_000;
const NOW = NOW_MS / 1000;

describe.each(ADAPTERS)("stripe-webhook disputes on %s", (adapter) => {
  let db: DbPool;
  let services: Services & { logs: CapturedLogs };
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
    services = await testServices(db, { now: () => NOW_MS });
  });
  afterAll(async () => {
    await db?.close();
  });

  async function setup() {
    const { tenantId, deliver } = await stripeSchool(handler, services, NOW);
    const disputes = () => db.query<Record<string, unknown>>(
      `select stripe_dispute_id, stripe_charge, stripe_payment_intent, amount, currency, reason, status, status_rank
         from disputes where tenant_id = $1 order by stripe_dispute_id`, [tenantId]);
    const disputeStatusOf = async (intent: string) =>
      (await db.query<{ dispute_status: string | null }>(
        "select dispute_status from payments where tenant_id = $1 and stripe_payment_intent = $2", [tenantId, intent]))[0]?.dispute_status;
    return { tenantId, deliver, disputes, disputeStatusOf };
  }

  const succeeded = (intent: Record<string, unknown>, created = NOW - 600) => stripeEvent("payment_intent.succeeded", intent, { created });
  const disputeEvent = (type: "created" | "updated" | "closed", object: Record<string, unknown>, created: number) =>
    stripeEvent(`charge.dispute.${type}`, object, { created });

  it("charge.dispute.created stores the dispute and marks its payment", async () => {
    const { tenantId, deliver, disputes, disputeStatusOf } = await setup();
    const intent = paymentIntent({ amount: 15_000, enrollmentId: await createEnrollment(db, tenantId) });
    await deliver(succeeded(intent));
    const du = dispute({ paymentIntent: intent.id, amount: 15_000, reason: "product_not_received" });

    const res = await deliver(disputeEvent("created", du, NOW - 100));

    expect(res.status).toBe(200);
    expect(await disputes()).toEqual([{
      stripe_dispute_id: du.id, stripe_charge: du.charge, stripe_payment_intent: intent.id, amount: 15_000, currency: "usd",
      reason: "product_not_received", status: "needs_response", status_rank: 3,
    }]);
    expect(await disputeStatusOf(intent.id)).toBe("needs_response");
    // The payment itself stays succeeded: a dispute is shown beside it, not instead of it.
    expect(await db.query("select status from payments where tenant_id = $1", [tenantId])).toEqual([{ status: "succeeded" }]);
  });

  it("moves forward through the lifecycle, and a late updated never reopens a closed outcome", async () => {
    const { deliver, disputes, disputeStatusOf } = await setup();
    const intent = paymentIntent();
    await deliver(succeeded(intent));
    const du = dispute({ paymentIntent: intent.id });

    await deliver(disputeEvent("created", { ...du, status: "needs_response" }, NOW - 300));
    await deliver(disputeEvent("updated", { ...du, status: "under_review" }, NOW - 200));
    await deliver(disputeEvent("closed", { ...du, status: "lost" }, NOW - 100));
    // Out of order: Stripe's earlier updates arrive after the outcome.
    await deliver(disputeEvent("updated", { ...du, status: "under_review" }, NOW - 150));
    await deliver(disputeEvent("created", { ...du, status: "needs_response" }, NOW - 300));

    expect(await disputes()).toEqual([expect.objectContaining({ status: "lost", status_rank: 5 })]);
    expect(await disputeStatusOf(intent.id)).toBe("lost");
  });

  it("an inquiry escalated to a chargeback keeps its id and moves on; a closed inquiry stays closed", async () => {
    const { deliver, disputeStatusOf } = await setup();
    const intent = paymentIntent();
    await deliver(succeeded(intent));
    const inquiry = dispute({ paymentIntent: intent.id, status: "warning_needs_response" });
    await deliver(disputeEvent("created", inquiry, NOW - 300));
    await deliver(disputeEvent("updated", { ...inquiry, status: "warning_under_review" }, NOW - 250));
    await deliver(disputeEvent("updated", { ...inquiry, status: "needs_response" }, NOW - 200));
    expect(await disputeStatusOf(intent.id)).toBe("needs_response");
    await deliver(disputeEvent("closed", { ...inquiry, status: "won" }, NOW - 100));
    await deliver(disputeEvent("updated", { ...inquiry, status: "warning_under_review" }, NOW - 50));
    expect(await disputeStatusOf(intent.id)).toBe("won");

    const other = paymentIntent();
    await deliver(succeeded(other));
    const closedInquiry = dispute({ paymentIntent: other.id, status: "warning_closed" });
    await deliver(disputeEvent("closed", closedInquiry, NOW - 100));
    await deliver(disputeEvent("updated", { ...closedInquiry, status: "warning_needs_response" }, NOW - 300));
    expect(await disputeStatusOf(other.id)).toBe("warning_closed");
  });

  it("a duplicated delivery changes nothing twice", async () => {
    const { tenantId, deliver, disputes } = await setup();
    const intent = paymentIntent();
    await deliver(succeeded(intent));
    const event = disputeEvent("created", dispute({ paymentIntent: intent.id }), NOW - 100);
    expect((await deliver(event)).json).toMatchObject({ received: 1 });
    const [before] = await db.query<{ updated_at: Date }>("select updated_at from disputes where tenant_id = $1", [tenantId]);

    expect((await deliver(event)).json).toMatchObject({ duplicates: 1 });

    expect(await disputes()).toHaveLength(1);
    const [after] = await db.query<{ updated_at: Date }>("select updated_at from disputes where tenant_id = $1", [tenantId]);
    expect(after!.updated_at).toEqual(before!.updated_at);
    expect(await db.query("select count(*)::int as n from webhook_events where tenant_id = $1 and event_type like 'charge.dispute.%'", [tenantId]))
      .toEqual([{ n: 1 }]);
  });

  it("a dispute that arrives before its payment is kept and shown on the payment once it arrives", async () => {
    const { deliver, disputes, disputeStatusOf } = await setup();
    const intent = paymentIntent();
    await deliver(disputeEvent("created", dispute({ paymentIntent: intent.id, status: "needs_response" }), NOW - 100));
    expect(await disputes()).toHaveLength(1);
    expect(await disputeStatusOf(intent.id)).toBeUndefined();

    await deliver(succeeded(intent, NOW - 900));

    expect(await disputeStatusOf(intent.id)).toBe("needs_response");
  });

  it("a payment's newest dispute is the one shown", async () => {
    const { deliver, disputeStatusOf } = await setup();
    const intent = paymentIntent();
    await deliver(succeeded(intent));
    await deliver(disputeEvent("closed", dispute({ paymentIntent: intent.id, status: "warning_closed", created: NOW - 5_000 }), NOW - 400));
    await deliver(disputeEvent("created", dispute({ paymentIntent: intent.id, status: "needs_response", created: NOW - 1_000 }), NOW - 300));
    expect(await disputeStatusOf(intent.id)).toBe("needs_response");
  });

  it("a dispute without a payment intent is stored, never linked", async () => {
    const { tenantId, deliver, disputes } = await setup();
    await deliver(disputeEvent("created", dispute({ paymentIntent: null }), NOW - 100));
    expect(await disputes()).toEqual([expect.objectContaining({ stripe_payment_intent: null })]);
    expect(await db.query("select count(*)::int as n from payments where tenant_id = $1", [tenantId])).toEqual([{ n: 0 }]);
  });

  it("a dispute marked for another school of the same Stripe account is stored, acknowledged and never applied", async () => {
    const { tenantId, deliver, disputes, disputeStatusOf } = await setup();
    const intent = paymentIntent();
    await deliver(succeeded(intent));
    const otherSchool = await createTenant(db);

    const res = await deliver(disputeEvent("created", dispute({ paymentIntent: intent.id, metadata: { tenant_id: otherSchool } }), NOW - 100));

    expect(res.status).toBe(200);
    expect(await disputes()).toEqual([]);
    expect(await disputeStatusOf(intent.id)).toBeNull();
    expect(await db.query("select count(*)::int as n from disputes where tenant_id = $1", [otherSchool])).toEqual([{ n: 0 }]);
    expect(await db.query("select status from webhook_events where tenant_id = $1 and event_type = 'charge.dispute.created'", [tenantId]))
      .toEqual([{ status: "processed" }]);
  });

  it("an unknown dispute status is stored and never overrides a known one", async () => {
    const { deliver, disputes } = await setup();
    const du = dispute({ paymentIntent: paymentIntent().id });
    await deliver(disputeEvent("created", du, NOW - 300));
    await deliver(disputeEvent("updated", { ...du, status: "some_future_status" }, NOW - 100));
    expect(await disputes()).toEqual([expect.objectContaining({ status: "needs_response" })]);
  });
});
