import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, REAL_DATABASE_URL, openTestDatabase } from "../../../tests/support/database.ts";
import { paymentIntent, stripeEvent } from "../../../tests/support/stripe.ts";
import { createTenant } from "../../../tests/support/tenants.ts";
import { stripeEffectOf } from "../../../tests/support/function-handlers.ts";
import type { DbPool } from "../db/port.ts";
import { createPostgresDb } from "../db/postgres.ts";
import { reapplyStoredEvent, type StoredEvent } from "./reapply.ts";

describe.each(ADAPTERS)("reapplyStoredEvent on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(() => db?.close());

  /** A Stripe payment event stored as `failed`, as the webhook leaves one whose effect threw. */
  async function storedFailedPayment(amount: number): Promise<StoredEvent & { intentId: string }> {
    const tenantId = await createTenant(db);
    const intent = paymentIntent({ amount });
    const event = stripeEvent("payment_intent.succeeded", intent);
    const [row] = await db.query<{ id: string }>(
      `insert into webhook_events (tenant_id, source, event_type, external_id, payload, status, attempts, last_error)
       values ($1, 'stripe', $2, $3, $4::jsonb, 'failed', 1, 'boom') returning id`,
      [tenantId, event.type, event.id, JSON.stringify(event)],
    );
    return { id: row!.id, tenantId, externalId: event.id, eventType: event.type, payload: event, intentId: intent.id };
  }

  const eventRow = (id: string) => db.query<{ status: string; attempts: number; last_error: string | null }>(
    "select status, attempts, last_error from webhook_events where id = $1", [id]);
  const paymentsOf = (tenantId: string) => db.query<{ amount: number; status: string }>(
    "select amount, status from payments where tenant_id = $1", [tenantId]);

  it("applies a failed event's effect and marks it processed, in one transaction", async () => {
    const event = await storedFailedPayment(12_000);
    expect(await reapplyStoredEvent(db, event, stripeEffectOf)).toEqual({ outcome: "processed" });
    expect(await eventRow(event.id)).toEqual([{ status: "processed", attempts: 2, last_error: null }]);
    expect(await paymentsOf(event.tenantId)).toEqual([{ amount: 12_000, status: "succeeded" }]);
  });

  it("is idempotent: replaying a processed event changes no domain row", async () => {
    const event = await storedFailedPayment(12_000);
    await reapplyStoredEvent(db, event, stripeEffectOf);
    await reapplyStoredEvent(db, event, stripeEffectOf);
    expect(await paymentsOf(event.tenantId)).toEqual([{ amount: 12_000, status: "succeeded" }]);
    expect((await eventRow(event.id))[0]).toMatchObject({ status: "processed", attempts: 3 });
  });

  it("keeps nothing of an effect that fails and reports the error", async () => {
    const event = await storedFailedPayment(-1); // violates payments.amount >= 0
    const result = await reapplyStoredEvent(db, event, stripeEffectOf);
    expect(result.outcome).toBe("failed");
    expect(result.outcome === "failed" && result.error).toMatch(/check constraint|violates/i);
    expect(await paymentsOf(event.tenantId)).toEqual([]);
    expect(await eventRow(event.id)).toEqual([{ status: "failed", attempts: 1, last_error: "boom" }]);
  });

  it("with onlyIfStatus, leaves an event that is no longer in that status alone ('settled')", async () => {
    const event = await storedFailedPayment(12_000);
    await db.query("update webhook_events set status = 'processed' where id = $1", [event.id]); // a redelivery won
    expect(await reapplyStoredEvent(db, event, stripeEffectOf, { onlyIfStatus: ["failed"] })).toEqual({ outcome: "settled" });
    expect(await paymentsOf(event.tenantId)).toEqual([]);
    expect((await eventRow(event.id))[0]).toMatchObject({ status: "processed", attempts: 1 });
  });

  it("marks an event with no effect (an unknown type) processed", async () => {
    const event = { ...(await storedFailedPayment(1)), eventType: "customer.created" };
    expect(await reapplyStoredEvent(db, event, stripeEffectOf)).toEqual({ outcome: "processed" });
    expect(await paymentsOf(event.tenantId)).toEqual([]);
  });
});

describe.runIf(REAL_DATABASE_URL)("reapplyStoredEvent with two workers on PostgreSQL", () => {
  it("leaves an event another worker holds alone ('busy') instead of applying it twice", async () => {
    const db = createPostgresDb(REAL_DATABASE_URL!, { max: 4 });
    try {
      const tenantId = await createTenant(db);
      const event = stripeEvent("payment_intent.succeeded", paymentIntent({ amount: 5_000 }));
      const [row] = await db.query<{ id: string }>(
        `insert into webhook_events (tenant_id, source, event_type, external_id, payload, status, attempts)
         values ($1, 'stripe', $2, $3, $4::jsonb, 'failed', 1) returning id`,
        [tenantId, event.type, event.id, JSON.stringify(event)],
      );
      const stored = { id: row!.id, tenantId, externalId: event.id, eventType: event.type, payload: event };
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      // Worker 1 holds the row lock (as reapplyStoredEvent does) while worker 2 tries.
      const worker1 = db.transaction(async (tx) => {
        await tx.query("select 1 from webhook_events where id = $1 for update", [stored.id]);
        await held;
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(await reapplyStoredEvent(db, stored, stripeEffectOf)).toEqual({ outcome: "busy" });
      release();
      await worker1;
      expect(await db.query("select count(*)::int as n from payments where tenant_id = $1", [tenantId])).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
  });
});
