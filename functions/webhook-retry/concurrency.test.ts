// Two instances of the retry job at once — and provider redeliveries of the same events at the same time —
// on a real PostgreSQL: row locks and SKIP LOCKED are only real there (PGlite has one connection).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { DbPool } from "../_shared/db/port.ts";
import { createPostgresDb } from "../_shared/db/postgres.ts";
import { sql } from "../_shared/db/sql.ts";
import type { EffectOf } from "../_shared/webhooks/record-event.ts";
import { REAL_DATABASE_URL } from "../../tests/support/database.ts";
import { openPrivateDatabase, type PrivateDatabase } from "../../tests/support/private-database.ts";
import { contextFor, testServices } from "../../tests/support/services.ts";
import { paymentIntent, signedStripeRequest, stripeEvent } from "../../tests/support/stripe.ts";
import { createStripeTenant } from "../../tests/support/tenants.ts";
import { insertFailedEvent } from "../../tests/support/webhook-events.ts";
import { stripeEffectOf, stripeWebhook } from "../../tests/support/function-handlers.ts";
import { createRetryJob, type RetrySummary } from "./retry-due-events.ts";

const WEBHOOK_SECRET = "whsec_retry_race_9a8b7c6d5e4f30112233445566778899";
const EVENTS = 60;

/**
 * The Stripe effects, slowed down a little (so the instances' runs overlap) and counting every application
 * that committed, by event id.
 */
function countingEffects(applied: Map<string, number>): { stripe: () => Promise<EffectOf> } {
  const effectOf: EffectOf = (tenantId, event) => {
    const inner = stripeEffectOf(tenantId, event);
    return {
      apply: async (tx) => {
        await tx.query("select pg_sleep(0.004)");
        if (inner && "statements" in inner) for (const s of inner.statements(sql`true`)) await tx.query(s.text, s.values);
        else if (inner) await inner.apply(tx);
        // Counted once the transaction commits: the next statement in it marks the event processed.
        queueMicrotask(() => applied.set(event.externalId, (applied.get(event.externalId) ?? 0) + 1));
      },
    };
  };
  return { stripe: async () => effectOf };
}

describe.runIf(REAL_DATABASE_URL)("webhook-retry with two instances at once (PostgreSQL)", () => {
  let database: PrivateDatabase;
  let second: DbPool;
  let instanceA: Services;
  let instanceB: Services;

  beforeAll(async () => {
    database = await openPrivateDatabase("retry_race");
    // Two instances: each its own pool, as two Lambdas or a Lambda and an operator's call would have.
    second = createPostgresDb(database.url, { max: 4 });
    instanceA = await testServices(database.db);
    instanceB = await testServices(second);
  });
  afterAll(async () => {
    await second?.close();
    await database?.drop();
  });

  async function seedFailedEvents() {
    const tenants = [];
    for (let t = 0; t < 3; t++) tenants.push(await createStripeTenant(instanceA, WEBHOOK_SECRET));
    const events = [];
    for (let i = 0; i < EVENTS; i++) {
      const tenantId = tenants[i % tenants.length]!;
      const event = stripeEvent("payment_intent.succeeded", paymentIntent({ amount: 1_000 + i }));
      events.push({ ...(await insertFailedEvent(database.db, tenantId, event)), body: JSON.stringify(event) });
    }
    return events;
  }

  async function finalState() {
    return database.db.query<{ status: string; attempts: number; n: number }>(
      "select status, attempts, count(*)::int as n from webhook_events group by status, attempts order by status, attempts",
    );
  }

  it("applies each due event exactly once when two instances run the job together", async () => {
    await database.db.query("delete from tenants");
    await seedFailedEvents();
    const applied = new Map<string, number>();
    const job = createRetryJob({ batchSize: 5, effects: countingEffects(applied) });
    const [a, b] = (await Promise.all([job(contextFor(instanceA)), job(contextFor(instanceB))])) as RetrySummary[];

    expect(a!.claimed).toBeGreaterThan(0);
    expect(b!.claimed).toBeGreaterThan(0);
    expect(a!.processed + b!.processed).toBe(EVENTS);
    expect(a!.claimed + b!.claimed).toBe(EVENTS);
    expect(applied.size).toBe(EVENTS);
    expect([...applied.values()].every((n) => n === 1)).toBe(true);
    expect(await finalState()).toEqual([{ status: "processed", attempts: 2, n: EVENTS }]);
    expect(await database.db.query("select count(*)::int as n from payments")).toEqual([{ n: EVENTS }]);
  });

  it("applies each event exactly once when the provider redelivers them while both instances run", async () => {
    await database.db.query("delete from tenants");
    const events = await seedFailedEvents();
    const applied = new Map<string, number>();
    const job = createRetryJob({ batchSize: 5, effects: countingEffects(applied) });
    const now = Math.floor(Date.now() / 1000);
    const redeliver = async () => {
      let processed = 0;
      for (const event of events) {
        const req = signedStripeRequest(event.tenantId, event.body, { secret: WEBHOOK_SECRET, timestamp: now });
        const res = await stripeWebhook(req, contextFor(instanceB, { tenantId: event.tenantId }));
        const body = (await res.json()) as { received: number; duplicates: number; failed: number };
        expect(res.status).toBe(200);
        expect(body.failed).toBe(0);
        processed += body.received - body.duplicates;
      }
      return processed;
    };
    const [a, b, byProvider] = await Promise.all([job(contextFor(instanceA)), job(contextFor(instanceB)), redeliver()]);
    const byJobs = (a as RetrySummary).processed + (b as RetrySummary).processed;

    // Every event was applied by exactly one of the three, never by two.
    expect(byJobs + byProvider).toBe(EVENTS);
    expect(applied.size).toBe(byJobs);
    expect([...applied.values()].every((n) => n === 1)).toBe(true);
    expect(await finalState()).toEqual([{ status: "processed", attempts: 2, n: EVENTS }]);
    expect(await database.db.query("select count(*)::int as n from payments")).toEqual([{ n: EVENTS }]);
  });
});
