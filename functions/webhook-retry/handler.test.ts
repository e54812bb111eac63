// The retry job through its HTTP handler, on PGlite and on a private PostgreSQL database (the job takes every
// due event of the database, so it must not share one with suites running in parallel).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbPool } from "../_shared/db/port.ts";
import { jobHandler } from "../_shared/http/job-handler.ts";
import { reapplyStoredEvent } from "../_shared/webhooks/reapply.ts";
import type { EffectOf } from "../_shared/webhooks/record-event.ts";
import { ADAPTERS } from "../../tests/support/database.ts";
import { openIsolatedDatabase } from "../../tests/support/private-database.ts";
import { jobRequest } from "../../tests/support/service-role.ts";
import { contextFor, testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { paymentIntent, signedStripeRequest, stripeEvent } from "../../tests/support/stripe.ts";
import { createStripeTenant, createTenant } from "../../tests/support/tenants.ts";
import { eventRow, insertFailedEvent } from "../../tests/support/webhook-events.ts";
import type { Handler, Services } from "../_shared/context.ts";
import { stripeEffectOf, stripeWebhook } from "../../tests/support/function-handlers.ts";
import { DEFAULT_RETRY_POLICY } from "./backoff.ts";
import { handler } from "./handler.ts";
import { createRetryJob, type RetryJobOptions } from "./retry-due-events.ts";

const ROUTE = "/api/jobs/webhook-retry";
const WEBHOOK_SECRET = "whsec_retry_test_0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const NOTHING = { claimed: 0, processed: 0, retryLater: 0, dead: 0, busy: 0, alreadyProcessed: 0, unregistered: 0, signatureFailuresPruned: 0 };
const DAY = 86_400_000;

/** An effect that throws, as a bug or a constraint would, for every Stripe event. */
const brokenEffects: RetryJobOptions["effects"] = {
  stripe: async (): Promise<EffectOf> => () => ({ apply: async () => { throw new Error("still broken"); } }),
};

describe.each(ADAPTERS)("webhook-retry job on %s", (adapter) => {
  let db: DbPool;
  let close: () => Promise<void>;
  let services: Services & { logs: CapturedLogs };
  let clock = Date.now();

  beforeAll(async () => {
    ({ db, close } = await openIsolatedDatabase(adapter, "retry"));
    services = await testServices(db, { now: () => clock });
  });
  afterAll(() => close?.());
  afterEach(async () => {
    // Private database: every test starts with no event due.
    await db.query("delete from webhook_events");
    await db.query("delete from webhook_signature_failures");
    services.logs.lines.length = 0;
    clock = Date.now();
  });

  async function run(job: Handler = handler, token?: string | null) {
    const res = await job(await jobRequest(ROUTE, token), contextFor(services));
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function failedPayment(options: { amount?: number; attempts?: number; nextAttemptAt?: Date; status?: "failed" | "dead" } = {}) {
    const tenantId = await createStripeTenant(services, WEBHOOK_SECRET);
    const intent = paymentIntent({ amount: options.amount ?? 12_000, customer: "cus_retry_private_7731" });
    const event = stripeEvent("payment_intent.succeeded", intent);
    const stored = await insertFailedEvent(db, tenantId, event, {
      attempts: options.attempts ?? 1, nextAttemptAt: options.nextAttemptAt ?? new Date(clock - 60_000),
      ...(options.status ? { status: options.status } : {}),
    });
    return { ...stored, event, intent };
  }

  const paymentsOf = (tenantId: string) =>
    db.query<{ amount: number; status: string }>("select amount, status from payments where tenant_id = $1", [tenantId]);

  it("re-applies a due failed event through the Stripe effects and marks it processed", async () => {
    const stored = await failedPayment();
    expect(await run()).toEqual({ status: 200, body: { ...NOTHING, claimed: 1, processed: 1 } });
    expect(await eventRow(db, stored.id)).toEqual({ status: "processed", attempts: 2, last_error: null, next_attempt_at: null });
    expect(await paymentsOf(stored.tenantId)).toEqual([{ amount: 12_000, status: "succeeded" }]);
    const line = services.logs.lines.find((l) => l.includes('"msg":"failed event re-applied"'));
    expect(JSON.parse(line!)).toMatchObject({ level: "info", fn: "webhook-retry", tenantId: stored.tenantId, eventId: stored.externalId, attempts: 2 });
  });

  it("leaves events that are not due yet, and dead ones, as they are", async () => {
    const later = await failedPayment({ nextAttemptAt: new Date(clock + 60_000) });
    const dead = await failedPayment({ status: "dead", attempts: 10 });
    const before = [await eventRow(db, later.id), await eventRow(db, dead.id)];
    expect(await run()).toEqual({ status: 200, body: NOTHING });
    expect([await eventRow(db, later.id), await eventRow(db, dead.id)]).toEqual(before);
    expect(await paymentsOf(later.tenantId)).toEqual([]);
  });

  it("backs off exponentially with jitter when the event fails again, keeping the error for admins", async () => {
    const low = await failedPayment({ attempts: 3 });
    await run(jobHandler("webhook-retry", createRetryJob({ effects: brokenEffects, random: () => 0 })));
    // Fourth attempt failed: 60 s × 2³ = 480 s, of which half is fixed and half jitter (here none).
    expect(await eventRow(db, low.id)).toEqual({
      status: "failed", attempts: 4, last_error: "Error: still broken", next_attempt_at: new Date(clock + 240_000),
    });

    await db.query("delete from webhook_events");
    await db.query("delete from webhook_signature_failures");
    const high = await failedPayment({ attempts: 3 });
    const result = await run(jobHandler("webhook-retry", createRetryJob({ effects: brokenEffects, random: () => 1 })));
    expect(result.body).toEqual({ ...NOTHING, claimed: 1, retryLater: 1 });
    expect((await eventRow(db, high.id)).next_attempt_at).toEqual(new Date(clock + 480_000));
    expect(await paymentsOf(high.tenantId)).toEqual([]);
    // The log says when, not why: the error's text may quote event data.
    expect(services.logs.lines.join("\n")).not.toContain("still broken");
  });

  it("is not tried again before its next attempt is due, and is once it is", async () => {
    const stored = await failedPayment({ attempts: 2 });
    await run(jobHandler("webhook-retry", createRetryJob({ effects: brokenEffects, random: () => 0.5 })));
    const { next_attempt_at } = await eventRow(db, stored.id);
    expect(await run()).toEqual({ status: 200, body: NOTHING });
    clock = next_attempt_at!.getTime();
    expect((await run()).body).toEqual({ ...NOTHING, claimed: 1, processed: 1 });
    expect(await eventRow(db, stored.id)).toMatchObject({ status: "processed", attempts: 4 });
  });

  it(`marks an event dead after ${DEFAULT_RETRY_POLICY.maxAttempts} attempts, and no run takes it again`, async () => {
    const stored = await failedPayment({ attempts: DEFAULT_RETRY_POLICY.maxAttempts - 1 });
    const broken = jobHandler("webhook-retry", createRetryJob({ effects: brokenEffects }));
    expect((await run(broken)).body).toEqual({ ...NOTHING, claimed: 1, dead: 1 });
    expect(await eventRow(db, stored.id)).toEqual({
      status: "dead", attempts: DEFAULT_RETRY_POLICY.maxAttempts, last_error: "Error: still broken", next_attempt_at: null,
    });
    const warning = services.logs.lines.find((l) => l.includes("event dead after its last attempt"));
    expect(JSON.parse(warning!)).toMatchObject({ level: "warn", eventId: stored.externalId, attempts: DEFAULT_RETRY_POLICY.maxAttempts });

    clock += 365 * 24 * 3600_000;
    expect((await run()).body).toEqual(NOTHING);
    expect((await eventRow(db, stored.id)).status).toBe("dead");
  });

  it("replays a dead event once its cause is fixed (an admin's replay: reapplyStoredEvent)", async () => {
    const stored = await failedPayment({ status: "dead", attempts: 10, amount: 8_500 });
    expect(await reapplyStoredEvent(db, stored, stripeEffectOf)).toEqual({ outcome: "processed" });
    expect(await eventRow(db, stored.id)).toEqual({ status: "processed", attempts: 11, last_error: null, next_attempt_at: null });
    expect(await paymentsOf(stored.tenantId)).toEqual([{ amount: 8_500, status: "succeeded" }]);
  });

  it("applies a dead event that the provider delivers again", async () => {
    const stored = await failedPayment({ status: "dead", attempts: 10, amount: 9_100 });
    const res = await stripeWebhook(
      signedStripeRequest(stored.tenantId, JSON.stringify(stored.event), { secret: WEBHOOK_SECRET, timestamp: Math.floor(clock / 1000) }),
      contextFor(services, { tenantId: stored.tenantId }),
    );
    expect(await res.json()).toEqual({ received: 1, duplicates: 0, failed: 0 });
    expect(await eventRow(db, stored.id)).toMatchObject({ status: "processed", attempts: 11 });
    expect(await paymentsOf(stored.tenantId)).toEqual([{ amount: 9_100, status: "succeeded" }]);
  });

  it("leaves due events of a source with no registered effects alone, and says so", async () => {
    const tenantId = await createStripeTenant(services, WEBHOOK_SECRET);
    const zoom = await insertFailedEvent(db, tenantId, { id: "meeting.ended:85746065432:1732600000000", type: "meeting.ended" }, { source: "zoom" });
    const before = await eventRow(db, zoom.id);
    const result = await run(jobHandler("webhook-retry", createRetryJob({ effects: { stripe: async () => stripeEffectOf } })));
    expect(result.body).toEqual({ ...NOTHING, unregistered: 1 });
    expect(await eventRow(db, zoom.id)).toEqual(before);
    const warning = services.logs.lines.find((l) => l.includes("no registered effects"));
    expect(JSON.parse(warning!)).toMatchObject({ level: "warn", source: "zoom", count: 1 });
  });

  it("claims batch after batch until nothing is due", async () => {
    const events = [];
    for (let i = 0; i < 5; i++) events.push(await failedPayment({ amount: 1_000 + i }));
    const result = await run(jobHandler("webhook-retry", createRetryJob({ batchSize: 2 })));
    expect(result.body).toEqual({ ...NOTHING, claimed: 5, processed: 5 });
    for (const stored of events) expect((await eventRow(db, stored.id)).status).toBe("processed");
  });

  it("does not apply again an event a provider redelivery processed after the claim", async () => {
    const stored = await failedPayment({ amount: 4_200 });
    // Effects load after the claim, right before the re-apply: the redelivery lands in that gap.
    const effects: RetryJobOptions["effects"] = {
      stripe: async () => {
        const res = await stripeWebhook(
          signedStripeRequest(stored.tenantId, JSON.stringify(stored.event), { secret: WEBHOOK_SECRET, timestamp: Math.floor(clock / 1000) }),
          contextFor(services, { tenantId: stored.tenantId }),
        );
        expect(await res.json()).toEqual({ received: 1, duplicates: 0, failed: 0 });
        return stripeEffectOf;
      },
    };
    const result = await run(jobHandler("webhook-retry", createRetryJob({ effects })));
    expect(result.body).toEqual({ ...NOTHING, claimed: 1, alreadyProcessed: 1 });
    // Two attempts: the failed first delivery and the redelivery. A third would mean a second application.
    expect(await eventRow(db, stored.id)).toMatchObject({ status: "processed", attempts: 2 });
    expect(await paymentsOf(stored.tenantId)).toEqual([{ amount: 4_200, status: "succeeded" }]);
  });

  it("prunes signature-failure rows older than 8 days, oldest first, a bounded batch per run", async () => {
    const tenantId = await createTenant(db);
    const failureAt = async (ageMs: number, reason: string) => {
      await db.query("insert into webhook_signature_failures (tenant_id, source, reason, created_at) values ($1, 'stripe', $2, $3)",
        [tenantId, reason, new Date(clock - ageMs)]);
    };
    await failureAt(30 * DAY, "oldest");
    await failureAt(9 * DAY, "older");
    await failureAt(8 * DAY + 60_000, "just past 8 days");
    await failureAt(8 * DAY - 60_000, "just inside 8 days");
    await failureAt(DAY, "yesterday");
    const remaining = async () => (await db.query<{ reason: string }>(
      "select reason from webhook_signature_failures where tenant_id = $1 order by created_at", [tenantId])).map((r) => r.reason);
    const job = jobHandler("webhook-retry", createRetryJob({ pruneBatchSize: 2 }));

    expect((await run(job)).body).toEqual({ ...NOTHING, signatureFailuresPruned: 2 });
    expect(await remaining()).toEqual(["just past 8 days", "just inside 8 days", "yesterday"]);
    expect((await run(job)).body).toEqual({ ...NOTHING, signatureFailuresPruned: 1 });
    expect((await run(job)).body).toEqual(NOTHING);
    expect(await remaining()).toEqual(["just inside 8 days", "yesterday"]);
  });

  it("refuses a call without the service_role key and touches nothing", async () => {
    const stored = await failedPayment();
    const before = await eventRow(db, stored.id);
    expect((await run(handler, null)).status).toBe(401);
    expect(await eventRow(db, stored.id)).toEqual(before);
  });

  it("writes no payload, customer or error text to its logs", async () => {
    await failedPayment({ attempts: 9 });
    await run(jobHandler("webhook-retry", createRetryJob({ effects: brokenEffects })));
    await failedPayment();
    await run();
    const logs = services.logs.lines.join("\n");
    expect(logs).toContain("event dead after its last attempt");
    expect(logs).not.toMatch(/cus_retry_private_7731|still broken|simulated failure|whsec_/);
  });
});
