// A succeeded Stripe payment enqueues one payment_confirmation email, in the same statement that records the
// payment: however often, in whatever order, and through whichever event (the intent's or its Checkout
// Session's) Stripe reports it. Both adapters.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { DbPool } from "../_shared/db/port.ts";
import { reapplyStoredEvent } from "../_shared/webhooks/reapply.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { paymentIntent, stripeEvent, tuitionInvoice } from "../../tests/support/stripe.ts";
import { createEnrollment } from "../../tests/support/tenants.ts";
import { effectOf } from "./effects.ts";
import { stripeSchool } from "../../tests/support/delivery.ts";
import { handler } from "./handler.ts";

const NOW_MS = 1_790_000_000_000;
const NOW = NOW_MS / 1000;

function checkoutSession(fields: { paymentIntent: string | null; paymentStatus?: string; email?: string | null; name?: string; mode?: string; enrollmentId?: string; amount?: number }) {
  return {
    id: `cs_test_${crypto.randomUUID().replaceAll("-", "")}`,
    object: "checkout.session",
    amount_total: fields.amount ?? 15_000,
    currency: "usd",
    customer: "cus_test_123",
    customer_details: fields.email === null ? null : { email: fields.email ?? "payer@example.com", name: fields.name ?? "Pat Payer", phone: null },
    metadata: fields.enrollmentId ? { enrollment_id: fields.enrollmentId } : {},
    mode: fields.mode ?? "payment",
    payment_intent: fields.paymentIntent,
    payment_status: fields.paymentStatus ?? "paid",
    status: "complete",
    subscription: fields.mode === "subscription" ? "sub_test_1" : null,
  };
}

describe.each(ADAPTERS)("payment confirmation emails from stripe-webhook on %s", (adapter) => {
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
    const messages = () => db.query<Record<string, unknown>>(
      "select kind, to_email, to_name, dedupe_key, data, status from email_messages where tenant_id = $1 order by created_at", [tenantId],
    );
    return { tenantId, deliver, messages };
  }

  const succeeded = (intent: Record<string, unknown>) => stripeEvent("payment_intent.succeeded", intent, { created: NOW - 60 });

  it("payment_intent.succeeded with a receipt_email enqueues one confirmation, keyed by the intent", async () => {
    const { tenantId, deliver, messages } = await setup();
    const enrollmentId = await createEnrollment(db, tenantId);
    const intent = { ...paymentIntent({ amount: 15_000, currency: "usd", enrollmentId }), receipt_email: "parent@example.com" };
    expect((await deliver(succeeded(intent))).status).toBe(200);
    expect(await messages()).toEqual([{
      kind: "payment_confirmation", to_email: "parent@example.com", to_name: null, dedupe_key: intent.id, status: "queued",
      data: { amount: 15_000, currency: "usd", amountDisplay: "$150.00", enrollmentId },
    }]);
  });

  it("enqueues once however often the event is redelivered, resent under a new event id, or replayed", async () => {
    const { tenantId, deliver, messages } = await setup();
    const intent = { ...paymentIntent({ amount: 2_000 }), receipt_email: "parent@example.com" };
    const event = succeeded(intent);
    await deliver(event);
    expect((await deliver(event)).json).toMatchObject({ duplicates: 1 });
    await deliver(succeeded(intent)); // same intent, another event id
    const [stored] = await db.query<{ id: string }>("select id from webhook_events where tenant_id = $1 and external_id = $2", [tenantId, event.id]);
    expect(await reapplyStoredEvent(db, { id: stored!.id, tenantId, externalId: event.id, eventType: event.type, payload: event }, effectOf))
      .toEqual({ outcome: "processed" });
    expect(await messages()).toHaveLength(1);
  });

  it("checkout.session.completed (payment mode, paid) enqueues it to the payer, and the intent's event then adds nothing", async () => {
    const { deliver, messages } = await setup();
    const intent = { ...paymentIntent({ amount: 15_000 }), receipt_email: "other@example.com" };
    await deliver(stripeEvent("checkout.session.completed", checkoutSession({ paymentIntent: intent.id, name: "Pat Payer" }), { created: NOW - 61 }));
    await deliver(succeeded(intent));
    expect(await messages()).toEqual([expect.objectContaining({
      to_email: "payer@example.com", to_name: "Pat Payer", dedupe_key: intent.id, data: expect.objectContaining({ amount: 15_000 }),
    })]);
  });

  it("the intent's event first, then the session's: still one email", async () => {
    const { deliver, messages } = await setup();
    const intent = { ...paymentIntent({ amount: 15_000 }), receipt_email: "parent@example.com" };
    await deliver(succeeded(intent));
    await deliver(stripeEvent("checkout.session.completed", checkoutSession({ paymentIntent: intent.id }), { created: NOW - 59 }));
    expect(await messages()).toEqual([expect.objectContaining({ to_email: "parent@example.com" })]);
  });

  it("a delayed payment is confirmed by async_payment_succeeded, not by the unpaid completion", async () => {
    const { deliver, messages } = await setup();
    const session = checkoutSession({ paymentIntent: `pi_test_${crypto.randomUUID().slice(0, 8)}`, paymentStatus: "unpaid" });
    await deliver(stripeEvent("checkout.session.completed", session, { created: NOW - 100 }));
    expect(await messages()).toEqual([]);
    await deliver(stripeEvent("checkout.session.async_payment_failed", session, { created: NOW - 90 }));
    expect(await messages()).toEqual([]);
    await deliver(stripeEvent("checkout.session.async_payment_succeeded", { ...session, payment_status: "paid" }, { created: NOW - 80 }));
    expect(await messages()).toHaveLength(1);
  });

  it.each([
    ["payment_intent.succeeded without receipt_email", () => succeeded(paymentIntent())],
    ["payment_intent.succeeded with a blank receipt_email", () => succeeded({ ...paymentIntent(), receipt_email: "  " })],
    ["payment_intent.processing", () => stripeEvent("payment_intent.processing", { ...paymentIntent({ status: "processing" }), receipt_email: "p@example.com" }, { created: NOW - 60 })],
    ["payment_intent.payment_failed", () => stripeEvent("payment_intent.payment_failed", { ...paymentIntent({ status: "requires_payment_method" }), receipt_email: "p@example.com" }, { created: NOW - 60 })],
    ["checkout.session.completed without customer_details", () => stripeEvent("checkout.session.completed", checkoutSession({ paymentIntent: "pi_test_nodetails", email: null }), { created: NOW - 60 })],
    ["checkout.session.completed in subscription mode", () => stripeEvent("checkout.session.completed", checkoutSession({ paymentIntent: null, mode: "subscription" }), { created: NOW - 60 })],
  ])("enqueues nothing for %s", async (_, event) => {
    const { deliver, messages } = await setup();
    expect((await deliver(event())).status).toBe(200);
    expect(await messages()).toEqual([]);
  });

  it("enqueues nothing when applying the payment fails (the event is kept as failed, and the email comes with its retry)", async () => {
    const { tenantId, deliver, messages } = await setup();
    const broken = { ...paymentIntent(), amount: -1, receipt_email: "parent@example.com" }; // violates payments.amount >= 0
    expect((await deliver(succeeded(broken))).json).toMatchObject({ failed: 1 });
    expect(await messages()).toEqual([]);
    expect(await db.query("select status from webhook_events where tenant_id = $1", [tenantId])).toEqual([{ status: "failed" }]);
  });

  describe("tuition, which its invoice confirms", () => {
    // Shapes at API 2025-03-31.basil: the Invoice names no intent (docs.stripe.com/api/invoices/object), the
    // PaymentIntent no invoice (stripe/openapi `upcoming-changes/node.md`: "Remove support for `invoice` on
    // `Charge` and `PaymentIntent`"), and only `invoice_payment.paid` names both (stripe-node
    // `src/resources/InvoicePayments.ts`). Before basil, the intent's `invoice` names its invoice.
    const tuitionIntent = (enrollmentId: string, fields: Record<string, unknown> = {}) => ({
      ...paymentIntent({ amount: 30_000, enrollmentId }),
      metadata: { enrollment_id: enrollmentId, kind: "tuition" },
      receipt_email: "receipts@example.com",
      ...fields,
    });
    const confirmations = async (messages: () => Promise<Record<string, unknown>[]>) =>
      (await messages()).filter((m) => m.kind === "payment_confirmation");

    it.each([["invoice first", false], ["intent first", true]] as const)(
      "basil: invoice.paid, payment_intent.succeeded and invoice_payment.paid of one tuition payment (%s) → one confirmation, the invoice's",
      async (_, intentFirst) => {
        const { tenantId, deliver, messages } = await setup();
        const enrollmentId = await createEnrollment(db, tenantId);
        const intent = tuitionIntent(enrollmentId);
        const invoice = tuitionInvoice({ amountDue: 30_000, amountPaid: 30_000, status: "paid", metadata: { enrollment_id: enrollmentId } });
        const paid = stripeEvent("invoice.paid", invoice, { created: NOW - 60 });
        const events = [paid, succeeded(intent), stripeEvent("invoice_payment.paid", {
          id: `inpay_test_${crypto.randomUUID().slice(0, 8)}`, object: "invoice_payment", amount_paid: 30_000, amount_requested: 30_000,
          currency: "usd", invoice: invoice.id, is_default: true, livemode: false, payment: { type: "payment_intent", payment_intent: intent.id },
          status: "paid", status_transitions: { paid_at: NOW - 60, canceled_at: null },
        }, { created: NOW - 60 })];
        if (intentFirst) events.reverse();
        for (const event of events) expect((await deliver(event)).status).toBe(200);

        expect(await messages()).toEqual([{
          kind: "payment_confirmation", to_email: "parent@example.com", to_name: "Pat Parent", dedupe_key: invoice.id, status: "queued",
          data: { amount: 30_000, currency: "usd", amountDisplay: "$300.00", enrollmentId },
        }]);
      },
    );

    // The gap the pairing rules close (functions/_shared/domain/email/confirmation-pairing.ts): at basil a tuition
    // intent need not carry our `metadata.kind` (Stripe does not copy the subscription's metadata onto it), so
    // with a `receipt_email` it reads like a one-time payment.
    const invoicePaymentPaid = (invoiceId: string, intentId: string) => stripeEvent("invoice_payment.paid", {
      id: `inpay_test_${crypto.randomUUID().slice(0, 8)}`, object: "invoice_payment", amount_paid: 30_000, amount_requested: 30_000,
      currency: "usd", invoice: invoiceId, is_default: true, livemode: false, payment: { type: "payment_intent", payment_intent: intentId },
      status: "paid", status_transitions: { paid_at: NOW - 60, canceled_at: null },
    }, { created: NOW - 60 });
    const basilTuition = async (tenantId: string) => {
      const enrollmentId = await createEnrollment(db, tenantId);
      const intent = { ...paymentIntent({ amount: 30_000 }), metadata: {}, receipt_email: "receipts@example.com" };
      const invoice = tuitionInvoice({ amountDue: 30_000, amountPaid: 30_000, status: "paid", metadata: { enrollment_id: enrollmentId } });
      return {
        intent, invoice,
        events: {
          paid: stripeEvent("invoice.paid", invoice, { created: NOW - 60 }),
          succeeded: succeeded(intent),
          linked: invoicePaymentPaid(invoice.id, intent.id),
        },
      };
    };
    const ORDERS = [
      ["paid", "succeeded", "linked"], ["paid", "linked", "succeeded"], ["succeeded", "paid", "linked"],
      ["succeeded", "linked", "paid"], ["linked", "paid", "succeeded"], ["linked", "succeeded", "paid"],
    ] as const;

    it.each(ORDERS)("basil, an intent without our metadata and with a receipt_email (%s, %s, %s) → one confirmation, the invoice's", async (...order) => {
      const { tenantId, deliver, messages } = await setup();
      const { invoice, events } = await basilTuition(tenantId);
      for (const name of order) expect((await deliver(events[name])).status).toBe(200);
      expect(await confirmations(messages)).toEqual([expect.objectContaining({ to_email: "parent@example.com", dedupe_key: invoice.id, status: "queued" })]);
    });

    it.each([["invoice.paid before the link", ["paid", "linked"]], ["the link before invoice.paid", ["linked", "paid"]]] as const)(
      "basil: when the intent's confirmation was already sent (%s), the invoice adds none",
      async (_, rest) => {
        const { tenantId, deliver, messages } = await setup();
        const { intent, events } = await basilTuition(tenantId);
        await deliver(events.succeeded);
        // The sender got to it first: claimed and sent before Stripe's other two events arrived.
        await db.query("update email_messages set status = 'sent', sent_at = now() where tenant_id = $1 and dedupe_key = $2", [tenantId, intent.id]);
        for (const name of rest) await deliver(events[name]);
        expect(await confirmations(messages)).toEqual([expect.objectContaining({ to_email: "receipts@example.com", dedupe_key: intent.id, status: "sent" })]);
      },
    );

    it.each(["dead", "suppressed"])("basil: when the intent's confirmation ended %s (it never reaches the family), the invoice's is sent", async (status) => {
      const { tenantId, deliver, messages } = await setup();
      const { intent, invoice, events } = await basilTuition(tenantId);
      await deliver(events.succeeded);
      await db.query("update email_messages set status = $3 where tenant_id = $1 and dedupe_key = $2", [tenantId, intent.id, status]);
      await deliver(events.paid);
      await deliver(events.linked);
      expect(await confirmations(messages)).toEqual([
        expect.objectContaining({ dedupe_key: intent.id, status }),
        expect.objectContaining({ to_email: "parent@example.com", dedupe_key: invoice.id, status: "queued" }),
      ]);
    });

    it("basil: an intent no invoice claims (a one-time payment without our metadata) keeps its confirmation", async () => {
      const { tenantId, deliver, messages } = await setup();
      const { intent, events } = await basilTuition(tenantId);
      await deliver(events.succeeded);
      await deliver(invoicePaymentPaid(`in_test_${crypto.randomUUID().slice(0, 8)}`, `pi_test_${crypto.randomUUID().slice(0, 8)}`)); // another payment's link
      expect(await confirmations(messages)).toEqual([expect.objectContaining({ dedupe_key: intent.id, status: "queued" })]);
    });

    it("before basil: an intent that names its invoice enqueues nothing; invoice.paid confirms it to the invoice's customer", async () => {
      const { tenantId, deliver, messages } = await setup();
      const enrollmentId = await createEnrollment(db, tenantId);
      const invoice = tuitionInvoice({ amountPaid: 30_000, status: "paid", metadata: { enrollment_id: enrollmentId } });
      // No `kind` in its metadata: Stripe does not copy the subscription's metadata onto an invoice's intent.
      const intent = { ...paymentIntent({ amount: 30_000 }), invoice: invoice.id, receipt_email: "receipts@example.com" };
      await deliver(succeeded(intent));
      expect(await confirmations(messages)).toEqual([]);
      await deliver(stripeEvent("invoice.paid", { ...invoice, payment_intent: intent.id }, { created: NOW - 59 }));
      expect(await confirmations(messages)).toEqual([expect.objectContaining({ to_email: "parent@example.com", dedupe_key: intent.id })]);
    });

    it("an enrollment_fee intent (metadata.kind, as our Checkout sets it) still gets its one confirmation", async () => {
      const { tenantId, deliver, messages } = await setup();
      const enrollmentId = await createEnrollment(db, tenantId);
      const intent = tuitionIntent(enrollmentId, { metadata: { enrollment_id: enrollmentId, kind: "enrollment_fee", tenant_id: tenantId }, amount: 15_000 });
      await deliver(succeeded(intent));
      await deliver(succeeded(intent)); // resent under a new event id
      expect(await messages()).toEqual([expect.objectContaining({
        kind: "payment_confirmation", to_email: "receipts@example.com", dedupe_key: intent.id, data: expect.objectContaining({ amount: 15_000 }),
      })]);
    });
  });

  it("shows a zero-decimal currency's amount as it is", async () => {
    const { deliver, messages } = await setup();
    await deliver(succeeded({ ...paymentIntent({ amount: 5_000, currency: "jpy" }), receipt_email: "parent@example.com" }));
    expect((await messages())[0]!.data).toMatchObject({ amount: 5_000, currency: "jpy", amountDisplay: "¥5,000" });
  });
});
