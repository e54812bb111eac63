// `npm run load`: the run itself on a private PostgreSQL database (small numbers), and its audit — the part
// that says "0 lost, 0 duplicated" — shown to notice each kind of loss and duplication it claims to.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../functions/_shared/context.ts";
import type { DbPool } from "../functions/_shared/db/port.ts";
import { handler as stripeWebhook } from "../functions/stripe-webhook/handler.ts";
import { auditRun } from "../tools/load/audit.ts";
import { seededRandom } from "../tools/load/random.ts";
import { runLoad } from "../tools/load/run-load.ts";
import { buildScenario, type LoadTenant, type Scenario } from "../tools/load/scenario.ts";
import { ADAPTERS, REAL_DATABASE_URL, openTestDatabase } from "./support/database.ts";
import { openPrivateDatabase } from "./support/private-database.ts";
import { contextFor, testServices } from "./support/services.ts";
import { signedStripeRequest } from "./support/stripe.ts";
import { createEnrollment, createStripeTenant } from "./support/tenants.ts";

const LINE = /^(\d+) delivered, (\d+) stored, (\d+) lost, (\d+) duplicated, (\d+) 5xx, (\d+) events\/s, p50 [\d.]+ ms, p99 [\d.]+ ms$/;

describe.runIf(REAL_DATABASE_URL)("npm run load on a fresh PostgreSQL database", () => {
  it("delivers every event (30% twice, shuffled, 8 in flight) and finds none lost or duplicated", async () => {
    const database = await openPrivateDatabase("load");
    try {
      const progress: string[] = [];
      const result = await runLoad({
        databaseUrl: database.url, events: 400, dupes: 0.3, concurrency: 8, tenants: 3, pool: 4, seed: 42, keep: false,
        progress: (line) => progress.push(line),
      });
      expect(result.line).toMatch(LINE);
      const [, delivered, stored, lost, duplicated, serverErrors] = LINE.exec(result.line)!.map(Number);
      expect({ delivered, stored, lost, duplicated, serverErrors }).toEqual({ delivered: 400, stored: 400, lost: 0, duplicated: 0, serverErrors: 0 });
      expect(result.ok).toBe(true);
      expect(result.deliveries).toBe(520);
      expect(result.figures.requests).toBe(520);
      expect(result.logCounts).toMatchObject({ warn: 0, error: 0 });
      expect(progress.join("\n")).toMatch(/400 events \(120 delivered twice\) over 3 tenants/);
      // Its tenants are gone afterwards (their rows with them).
      expect(await database.db.query("select count(*)::int as n from webhook_events")).toEqual([{ n: 0 }]);
    } finally {
      await database.drop();
    }
  });
});

describe.each(ADAPTERS)("the load run's audit on %s", (adapter) => {
  let db: DbPool;
  let services: Services;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
    services = await testServices(db);
  });
  afterAll(() => db?.close());

  /** 60 events over two new tenants, delivered newest first through the webhook: a correct run. */
  async function ingestedScenario(): Promise<Scenario> {
    const tenants: LoadTenant[] = [];
    for (let t = 0; t < 2; t++) {
      const webhookSecret = `whsec_audit_${t}_${crypto.randomUUID().replaceAll("-", "")}`;
      const id = await createStripeTenant(services, webhookSecret);
      tenants.push({ id, webhookSecret, enrollmentIds: [await createEnrollment(db, id), await createEnrollment(db, id)] });
    }
    // Seed 7 gives every kind of story in 60 events (payments, refunds, subscriptions).
    const scenario = buildScenario(`audit${crypto.randomUUID().slice(0, 8)}`, tenants, 60, seededRandom(7), Math.floor(Date.now() / 1000));
    const secretOf = new Map(tenants.map((t) => [t.id, t.webhookSecret]));
    for (const event of [...scenario.events].reverse()) {
      const res = await stripeWebhook(signedStripeRequest(event.tenantId, event.body, { secret: secretOf.get(event.tenantId)! }),
        contextFor(services, { tenantId: event.tenantId }));
      expect(await res.json()).toEqual({ received: 1, duplicates: 0, failed: 0 });
    }
    return scenario;
  }

  it("covers payments, refunds and subscriptions, and finds a correct run clean (even delivered newest first)", async () => {
    const scenario = await ingestedScenario();
    expect(scenario.expected.payments.size).toBeGreaterThan(5);
    expect(scenario.expected.refunds.size).toBeGreaterThan(0);
    expect(scenario.expected.subscriptions.size).toBeGreaterThan(0);
    expect(await auditRun(db, scenario, new Set())).toEqual({ stored: 60, lost: 0, duplicated: 0, findings: [] });
  });

  it.each([
    ["an event applied twice", "duplicated", "events applied more than once",
      (s: Scenario) => db.query("update webhook_events set attempts = 2 where external_id = $1", [s.events[0]!.eventId])],
    ["a refund counted twice", "duplicated", "payments with a refund counted twice",
      (s: Scenario) => db.query("update payments set amount_refunded = amount_refunded * 2 where stripe_payment_intent = $1",
        [[...s.expected.payments].find(([, p]) => p.amountRefunded > 0)![0]])],
    ["an event not stored", "lost", "events not stored as processed",
      (s: Scenario) => db.query("update webhook_events set status = 'failed' where external_id = $1", [s.events[1]!.eventId])],
    ["a payment missing", "lost", "payments missing",
      (s: Scenario) => db.query("delete from payments where stripe_payment_intent = $1", [[...s.expected.payments.keys()][0]])],
    ["a subscription behind its newest event", "lost", "subscriptions not in their newest state",
      (s: Scenario) => db.query("update subscriptions set status = 'incomplete' where stripe_subscription_id = $1",
        [[...s.expected.subscriptions].find(([, sub]) => sub.status !== "incomplete")![0]])],
  ] as const)("notices %s", async (_, kind, what, tamper) => {
    const scenario = await ingestedScenario();
    await tamper(scenario);
    const audit = await auditRun(db, scenario, new Set());
    expect(audit.findings).toEqual([{ kind, what, count: 1 }]);
    expect(audit[kind]).toBe(1);
  });

  it("does not count as a duplicate the retry of an event answered as stored-failed", async () => {
    const scenario = await ingestedScenario();
    await db.query("update webhook_events set attempts = 2 where external_id = $1", [scenario.events[2]!.eventId]);
    expect((await auditRun(db, scenario, new Set([scenario.events[2]!.eventId]))).duplicated).toBe(0);
  });
});
