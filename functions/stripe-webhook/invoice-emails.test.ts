// Tuition invoices tell the family: `invoice.payment_action_required` (3-D Secure on a renewal) and
// `invoice.payment_failed` enqueue their own email with the invoice's `hosted_invoice_url`, and `invoice.paid`
// its payment confirmation — each once per invoice, whatever Stripe redelivers or reorders. Payloads follow the
// Invoice object at API 2025-03-31.basil (docs.stripe.com/api/invoices/object; stripe-node
// `src/resources/Invoices.ts`), signed by the stripe SDK's generateTestHeaderString. Both adapters.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { DbPool } from "../_shared/db/port.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { stripeEvent, tuitionInvoice } from "../../tests/support/stripe.ts";
import { createEnrollment, createTenant } from "../../tests/support/tenants.ts";
import { stripeSchool } from "../../tests/support/delivery.ts";
import { handler } from "./handler.ts";

const NOW_MS = 1_790_000_000_000;
const NOW = NOW_MS / 1000;

describe.each(ADAPTERS)("stripe-webhook tuition invoice emails on %s", (adapter) => {
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
    const enrollmentId = await createEnrollment(db, tenantId);
    const messages = () => db.query<Record<string, unknown>>(
      "select kind, to_email, to_name, dedupe_key, data, status from email_messages where tenant_id = $1 order by created_at, kind", [tenantId]);
    return { tenantId, enrollmentId, deliver, messages };
  }

  it("invoice.payment_action_required enqueues payment_action_required with the hosted invoice link", async () => {
    const { enrollmentId, deliver, messages } = await setup();
    const invoice = tuitionInvoice({ amountDue: 30_000, metadata: { enrollment_id: enrollmentId }, attemptCount: 1, nextPaymentAttempt: null });

    expect((await deliver(stripeEvent("invoice.payment_action_required", invoice, { created: NOW - 60 }))).status).toBe(200);

    expect(await messages()).toEqual([{
      kind: "payment_action_required", to_email: "parent@example.com", to_name: "Pat Parent", dedupe_key: invoice.id, status: "queued",
      data: {
        invoiceId: invoice.id, hostedInvoiceUrl: invoice.hosted_invoice_url, amount: 30_000, currency: "usd", amountDisplay: "$300.00",
        attemptCount: 1, nextPaymentAttempt: null, enrollmentId,
      },
    }]);
  });

  it("invoice.payment_failed records the failed tuition payment and enqueues payment_failed, once per invoice", async () => {
    const { tenantId, enrollmentId, deliver, messages } = await setup();
    const invoice = tuitionInvoice({ amountDue: 30_000, metadata: { enrollment_id: enrollmentId }, attemptCount: 1 });
    const first = stripeEvent("invoice.payment_failed", invoice, { created: NOW - 300 });

    await deliver(first);
    expect((await deliver(first)).json).toMatchObject({ duplicates: 1 });
    // Stripe's next automatic attempt fails too: a new event for the same invoice.
    await deliver(stripeEvent("invoice.payment_failed", { ...invoice, attempt_count: 2 }, { created: NOW - 100 }));

    expect(await messages()).toEqual([expect.objectContaining({
      kind: "payment_failed", to_email: "parent@example.com", dedupe_key: invoice.id,
      data: expect.objectContaining({ hostedInvoiceUrl: invoice.hosted_invoice_url, attemptCount: 1, nextPaymentAttempt: new Date(1_790_086_400_000).toISOString() }),
    })]);
    expect(await db.query("select kind, status, stripe_invoice, enrollment_id from payments where tenant_id = $1", [tenantId]))
      .toEqual([{ kind: "tuition", status: "failed", stripe_invoice: invoice.id, enrollment_id: enrollmentId }]);
  });

  it("invoice.paid enqueues the payment confirmation once per invoice, also after the failure emails", async () => {
    const { enrollmentId, deliver, messages } = await setup();
    const invoice = tuitionInvoice({ amountDue: 30_000, metadata: { enrollment_id: enrollmentId } });
    const paid = { ...invoice, amount_paid: 30_000, amount_remaining: 0, status: "paid" };

    // Out of order: the paid invoice arrives before the action-required it resolved.
    await deliver(stripeEvent("invoice.paid", paid, { created: NOW - 100 }));
    await deliver(stripeEvent("invoice.payment_action_required", invoice, { created: NOW - 200 }));
    await deliver(stripeEvent("invoice.paid", paid, { created: NOW - 100 })); // resent under a new event id

    const sent = await messages();
    expect(sent.map((m) => [m.kind, m.dedupe_key])).toEqual(expect.arrayContaining([
      ["payment_confirmation", invoice.id], ["payment_action_required", invoice.id],
    ]));
    expect(sent).toHaveLength(2);
    expect(sent.find((m) => m.kind === "payment_confirmation")).toMatchObject({
      to_email: "parent@example.com", to_name: "Pat Parent", data: { amount: 30_000, currency: "usd", amountDisplay: "$300.00", enrollmentId },
    });
  });

  it("an invoice that names its PaymentIntent (before API 2025-03-31) is confirmed under the intent, like a one-time payment", async () => {
    const { deliver, messages } = await setup();
    const invoice = { ...tuitionInvoice({ amountPaid: 30_000, status: "paid" }), payment_intent: "pi_test_legacy_tuition" };
    await deliver(stripeEvent("invoice.paid", invoice, { created: NOW - 100 }));
    expect(await messages()).toEqual([expect.objectContaining({ kind: "payment_confirmation", dedupe_key: "pi_test_legacy_tuition" })]);
  });

  it.each([
    ["an invoice without customer_email", "invoice.payment_failed", tuitionInvoice({ customerEmail: null })],
    ["a blank customer_email", "invoice.payment_action_required", tuitionInvoice({ customerEmail: "  " })],
    ["a $0 paid invoice (a trial)", "invoice.paid", tuitionInvoice({ amountDue: 0, amountPaid: 0, status: "paid" })],
  ])("enqueues nothing for %s", async (_, type, invoice) => {
    const { deliver, messages } = await setup();
    expect((await deliver(stripeEvent(type, invoice, { created: NOW - 60 }))).status).toBe(200);
    expect(await messages()).toEqual([]);
  });

  it("an invoice marked for another school of the same Stripe account emails no one", async () => {
    const { tenantId, deliver, messages } = await setup();
    const otherSchool = await createTenant(db);
    for (const type of ["invoice.payment_action_required", "invoice.payment_failed", "invoice.paid"]) {
      const invoice = tuitionInvoice({ metadata: { tenant_id: otherSchool }, amountPaid: 30_000 });
      expect((await deliver(stripeEvent(type, invoice, { created: NOW - 60 }))).status).toBe(200);
    }
    expect(await messages()).toEqual([]);
    expect(await db.query("select count(*)::int as n from email_messages where tenant_id = $1", [otherSchool])).toEqual([{ n: 0 }]);
    expect(await db.query("select count(*)::int as n from payments where tenant_id = $1", [tenantId])).toEqual([{ n: 0 }]);
  });
});
