// Concurrent deliveries on a runtime that groups them (dev server, Deno: Services.eventGroups): signed by
// Stripe's SDK, posted to the real handler at once, stored on the real database. What grouping may change is
// the number of statements; what it must not: every event answered only once stored, stored once, applied at
// most once, a failing event stored as failed without costing the others, 503 when the database is gone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import { DbUnavailableError, type DbPool } from "../_shared/db/port.ts";
import { createEventGroups } from "../_shared/webhooks/event-groups.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { callHandler } from "../../tests/support/delivery.ts";
import { faultyDb } from "../../tests/support/faulty-db.ts";
import { recordingDb, type RecordedStatements } from "../../tests/support/recording-db.ts";
import { testServices } from "../../tests/support/services.ts";
import { paymentIntent, signedStripeRequest, stripeEvent, tuitionInvoice } from "../../tests/support/stripe.ts";
import { createEnrollment, createStripeTenant } from "../../tests/support/tenants.ts";
import { handler } from "./handler.ts";

const NOW = Math.floor(Date.now() / 1000);


describe.each(ADAPTERS)("grouped stripe deliveries (%s)", (adapter) => {
  let pool: DbPool;
  beforeAll(async () => {
    pool = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await pool.close();
  });

  /**
   * A school whose integration is already in the instance cache (one delivery made and forgotten), as on a
   * warm instance: concurrent deliveries then reach storage in the same turn, which is what makes a group.
   */
  async function school(recorded: RecordedStatements) {
    const services: Services = { ...(await testServices(recorded.db, { cacheTtlMs: 60_000 })), eventGroups: createEventGroups() };
    const secret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
    const tenantId = await createStripeTenant(services, secret);
    const enrollmentId = await createEnrollment(pool, tenantId);
    const deliver = (event: object) =>
      callHandler(handler, services, { tenantId }, signedStripeRequest(tenantId, JSON.stringify(event), { secret, timestamp: NOW }));
    const warm = await deliver(stripeEvent("customer.created", { id: `cus_test_${crypto.randomUUID().slice(0, 8)}`, object: "customer" }));
    expect(warm.status).toBe(200);
    await pool.query("delete from webhook_events where tenant_id = $1", [tenantId]);
    recorded.stores.length = 0;
    return { services, tenantId, enrollmentId, deliver };
  }

  const intentEvent = (type: string, fields: Parameters<typeof paymentIntent>[0], created = NOW - 60) =>
    stripeEvent(type, paymentIntent(fields), { created });

  it("stores concurrent events of different intents in one statement, each answered, stored and applied once", async () => {
    const recorded = recordingDb(pool);
    const { stores } = recorded;
    const { tenantId, enrollmentId, deliver } = await school(recorded);
    const events = Array.from({ length: 12 }, () => intentEvent("payment_intent.succeeded", { enrollmentId }));

    const answers = await Promise.all(events.map(deliver));

    expect(answers.map((a) => [a.status, a.json])).toEqual(events.map(() => [200, { received: 1, duplicates: 0, failed: 0 }]));
    // All twelve reached storage in the same turn: grouped by fours (maxEvents), three statements hold them.
    expect(stores.map((s) => s.events)).toEqual([4, 4, 4]);
    const rows = await pool.query<{ external_id: string; status: string }>(
      "select external_id, status from webhook_events where tenant_id = $1 and source = 'stripe'", [tenantId]);
    expect(rows.map((r) => r.external_id).sort()).toEqual(events.map((e) => e.id).sort());
    expect(rows.every((r) => r.status === "processed")).toBe(true);
    const payments = await pool.query<{ n: number }>(
      "select count(*)::int as n from payments where tenant_id = $1 and status = 'succeeded' and enrollment_id = $2", [tenantId, enrollmentId]);
    expect(payments[0]!.n).toBe(12);
  });

  it("takes the one-event path for a delivery alone", async () => {
    const recorded = recordingDb(pool);
    const { stores } = recorded;
    const { enrollmentId, deliver } = await school(recorded);
    const answer = await deliver(intentEvent("payment_intent.succeeded", { enrollmentId }));
    expect(answer.json).toEqual({ received: 1, duplicates: 0, failed: 0 });
    expect(stores).toHaveLength(1);
    expect(stores[0]!.text.trimStart()).toMatch(/^with stored as \(/);
  });

  it("answers the same event delivered twice at once as stored and duplicate, applied once", async () => {
    const recorded = recordingDb(pool);
    const { stores } = recorded;
    const { tenantId, enrollmentId, deliver } = await school(recorded);
    const event = intentEvent("payment_intent.succeeded", { enrollmentId, amount: 31_000 });
    const other = intentEvent("payment_intent.succeeded", { enrollmentId });

    const answers = await Promise.all([deliver(event), deliver(event), deliver(other)]);

    expect(answers.map((a) => a.json.duplicates).sort()).toEqual([0, 0, 1]);
    expect(answers.every((a) => a.status === 200 && a.json.received === 1)).toBe(true);
    // The second copy never shares a statement with the first (it would update a row that statement inserts).
    expect(stores.every((s) => s.text.split(event.id).length - 1 <= 1)).toBe(true);
    const [stored] = await pool.query<{ n: number; attempts: number }>(
      "select count(*)::int as n, max(attempts)::int as attempts from webhook_events where tenant_id = $1 and external_id = $2", [tenantId, event.id]);
    expect(stored).toEqual({ n: 1, attempts: 1 });
    const [payment] = await pool.query<{ n: number }>(
      "select count(*)::int as n from payments where tenant_id = $1 and stripe_payment_intent = $2", [tenantId, (event.data.object as { id: string }).id]);
    expect(payment!.n).toBe(1);
  });

  it("applies two events of one intent in separate statements, so neither change is lost", async () => {
    const recorded = recordingDb(pool);
    const { stores } = recorded;
    const { tenantId, enrollmentId, deliver } = await school(recorded);
    const id = `pi_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
    // Seeded first, so both events below update an existing row: in one statement the second UPDATE of a row
    // would be skipped without an error.
    await deliver(intentEvent("payment_intent.processing", { id, enrollmentId, status: "processing" }, NOW - 300));
    const processingAgain = intentEvent("payment_intent.processing", { id, enrollmentId, status: "processing" }, NOW - 200);
    const succeeded = intentEvent("payment_intent.succeeded", { id, enrollmentId, status: "succeeded", amount: 27_500 }, NOW - 100);

    const answers = await Promise.all([deliver(processingAgain), deliver(succeeded)]);

    expect(answers.map((a) => a.json)).toEqual([{ received: 1, duplicates: 0, failed: 0 }, { received: 1, duplicates: 0, failed: 0 }]);
    expect(stores.slice(1).every((s) => s.events === 1)).toBe(true);
    const [payment] = await pool.query<{ status: string; amount: number }>(
      "select status, amount from payments where tenant_id = $1 and stripe_payment_intent = $2", [tenantId, id]);
    expect(payment).toEqual({ status: "succeeded", amount: 27_500 });
  });

  it("groups the tuition invoices of the 1st of the month, and keeps two events of one invoice apart", async () => {
    const recorded = recordingDb(pool);
    const { stores } = recorded;
    const { tenantId, deliver } = await school(recorded);
    const paidInvoice = (id?: string) => tuitionInvoice({ ...(id ? { id } : {}), amountPaid: 30_000, status: "paid" });
    const invoices = Array.from({ length: 3 }, () => paidInvoice());
    const retried = tuitionInvoice({ status: "open", attemptCount: 1 });

    const answers = await Promise.all([
      ...invoices.map((invoice) => deliver(stripeEvent("invoice.paid", invoice, { created: NOW - 60 }))),
      deliver(stripeEvent("invoice.payment_failed", retried, { created: NOW - 120 })),
      deliver(stripeEvent("invoice.paid", paidInvoice(retried.id), { created: NOW - 30 })),
    ]);

    expect(answers.map((a) => a.json)).toEqual(answers.map(() => ({ received: 1, duplicates: 0, failed: 0 })));
    // Four invoices share the first statement; the second event of the retried invoice waits for the next.
    expect(stores.map((s) => s.events)).toEqual([4, 1]);
    const payments = await pool.query<{ stripe_invoice: string; status: string }>(
      "select stripe_invoice, status from payments where tenant_id = $1 order by stripe_invoice", [tenantId]);
    expect(payments).toEqual([...invoices.map((i) => i.id), retried.id].sort().map((id) => ({ stripe_invoice: id, status: "succeeded" })));
    const [emails] = await pool.query<{ confirmations: number; failures: number }>(
      `select count(*) filter (where kind = 'payment_confirmation')::int as confirmations,
              count(*) filter (where kind = 'payment_failed')::int as failures
         from email_messages where tenant_id = $1`, [tenantId]);
    expect(emails).toEqual({ confirmations: 4, failures: 1 });
  });

  it("stores an event whose effect fails as failed, and the rest of its group as processed", async () => {
    const recorded = recordingDb(pool);
    const { stores } = recorded;
    const { tenantId, enrollmentId, deliver } = await school(recorded);
    const good = Array.from({ length: 3 }, () => intentEvent("payment_intent.succeeded", { enrollmentId }));
    // payments.amount has `check (amount >= 0)`: this one's upsert fails inside the group's statement.
    const bad = intentEvent("payment_intent.succeeded", { enrollmentId, amount: -100 });

    const answers = await Promise.all([...good, bad].map(deliver));

    expect(answers.map((a) => a.json)).toEqual([
      ...good.map(() => ({ received: 1, duplicates: 0, failed: 0 })), { received: 1, duplicates: 0, failed: 1 },
    ]);
    // Together first; then each on its own, and the failing one once more to store it as failed.
    expect(stores.map((s) => s.events)).toEqual([4, 1, 1, 1, 1, 1]);
    const rows = await pool.query<{ external_id: string; status: string; last_error: string | null }>(
      "select external_id, status, last_error from webhook_events where tenant_id = $1", [tenantId]);
    const byId = new Map(rows.map((r) => [r.external_id, r]));
    expect(good.map((e) => byId.get(e.id)?.status)).toEqual(["processed", "processed", "processed"]);
    expect(byId.get(bad.id)?.status).toBe("failed");
    expect(byId.get(bad.id)?.last_error).toMatch(/check/i);
    const [payments] = await pool.query<{ n: number }>("select count(*)::int as n from payments where tenant_id = $1", [tenantId]);
    expect(payments!.n).toBe(3);
  });

  it("answers 503 to every event of a group when the database is unreachable, and stores none", async () => {
    const recorded = recordingDb(faultyDb(pool, (text) =>
      text.includes("e1 as (") ? new DbUnavailableError("database unavailable: ECONNRESET") : undefined));
    const { tenantId, enrollmentId, deliver } = await school(recorded);
    const events = Array.from({ length: 3 }, () => intentEvent("payment_intent.succeeded", { enrollmentId }));

    const answers = await Promise.all(events.map(deliver));

    expect(answers.map((a) => [a.status, a.headers.get("retry-after")])).toEqual(events.map(() => [503, "30"]));
    expect(recorded.stores.map((s) => s.events)).toEqual([3]);
    const [stored] = await pool.query<{ n: number }>("select count(*)::int as n from webhook_events where tenant_id = $1", [tenantId]);
    expect(stored!.n).toBe(0);
  });
});
