// Fault suite: the effect of an event fails after the event is verified (a bug, a constraint, a lock
// timeout). The event is stored as `failed` and acknowledged (the provider will not send it again), nothing
// of its effect is kept, and the retry job completes it once the cause is gone — applied exactly once, even
// when the provider's own redelivery arrives too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../../functions/_shared/context.ts";
import { functionDefinition } from "../../functions/manifest.ts";
import { handler as retryJob } from "../../functions/webhook-retry/handler.ts";
import { REAL_DATABASE_URL } from "../support/database.ts";
import { startTestServer } from "../support/http-server.ts";
import { openPrivateDatabase, type PrivateDatabase } from "../support/private-database.ts";
import { jobRequest } from "../support/service-role.ts";
import { contextFor, testServices, type CapturedLogs } from "../support/services.ts";
import { paymentIntent, stripeEvent, stripeSignature } from "../support/stripe.ts";
import { createEnrollment, createStripeTenant } from "../support/tenants.ts";

const SECRET = "whsec_crash_after_storage_4d3c2b1a";

describe.runIf(REAL_DATABASE_URL)("fault: a handler crash after storage (real PostgreSQL only — the fault is injected with a trigger on a private database; without DATABASE_URL/TEST_DATABASE_URL this suite does not run)", () => {
  let database: PrivateDatabase;
  let services: Services & { logs: CapturedLogs };
  let clock = Date.now();
  let server: Awaited<ReturnType<typeof startTestServer>>;

  beforeAll(async () => {
    database = await openPrivateDatabase("crash");
    services = await testServices(database.db, { now: () => clock, configOverrides: { WEBHOOK_RATE_LIMIT_PER_MINUTE: "0" } });
    server = await startTestServer(services, [functionDefinition("stripe-webhook")]);
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  const deliver = async (tenantId: string, body: string) => {
    const res = await fetch(`${server.baseUrl}/api/webhooks/stripe/${tenantId}`, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": stripeSignature(body, { secret: SECRET, timestamp: Math.floor(clock / 1000) }) },
      body,
    });
    return { status: res.status, body: await res.json() };
  };
  const runRetryJob = async () => (await retryJob(await jobRequest("/api/jobs/webhook-retry"), contextFor(services))).json();
  const events = (tenantId: string) => database.db.query<{ event_type: string; status: string; attempts: number; last_error: string | null; due: boolean }>(
    `select event_type, status, attempts, last_error, next_attempt_at is not null as due from webhook_events
      where tenant_id = $1 order by event_type`, [tenantId]);

  it("stores the event as failed, keeps nothing of its effect, and the retry job applies it once the cause is gone", async () => {
    const tenantId = await createStripeTenant(services, SECRET);
    const enrollmentId = await createEnrollment(database.db, tenantId);
    // The crash: every write to this tenant's payments and refunds fails, after the event passed verification.
    await database.db.execScript(`
      create function crash_effect() returns trigger language plpgsql as $$
      begin raise exception 'simulated crash in the effect'; end $$;
      create trigger crash_payments before insert or update on payments for each row
        when (new.tenant_id = '${tenantId}') execute function crash_effect();
      create trigger crash_refunds before insert or update on refunds for each row
        when (new.tenant_id = '${tenantId}') execute function crash_effect();`);

    const intent = paymentIntent({ amount: 20_000, enrollmentId });
    const payment = JSON.stringify(stripeEvent("payment_intent.succeeded", intent)); // one atomic statement
    const refund = JSON.stringify(stripeEvent("refund.updated", {                     // a transaction of several
      id: "re_crash_1", object: "refund", amount: 5_000, currency: "usd", payment_intent: intent.id, status: "succeeded", reason: null,
    }));
    expect(await deliver(tenantId, payment)).toEqual({ status: 200, body: { received: 1, duplicates: 0, failed: 1 } });
    expect(await deliver(tenantId, refund)).toEqual({ status: 200, body: { received: 1, duplicates: 0, failed: 1 } });

    const failed = await events(tenantId);
    expect(failed).toEqual([
      { event_type: "payment_intent.succeeded", status: "failed", attempts: 1, last_error: expect.stringContaining("simulated crash in the effect"), due: true },
      { event_type: "refund.updated", status: "failed", attempts: 1, last_error: expect.stringContaining("simulated crash in the effect"), due: true },
    ]);
    expect(await database.db.query("select 1 from payments where tenant_id = $1 union all select 1 from refunds where tenant_id = $1", [tenantId])).toEqual([]);
    const warning = services.logs.lines.find((l) => l.includes("event stored as failed; the retry job will re-apply it"));
    expect(warning).toBeDefined();
    expect(warning).not.toContain("simulated crash"); // the error is for admins (last_error), not the log

    // Not due yet (first retry after a minute); and while the cause lasts, a retry fails again and backs off.
    expect(await runRetryJob()).toMatchObject({ claimed: 0 });
    clock += 2 * 60_000;
    expect(await runRetryJob()).toMatchObject({ claimed: 2, processed: 0, retryLater: 2 });
    expect((await events(tenantId)).map((e) => e.attempts)).toEqual([2, 2]);

    // The cause is fixed; the next due run completes both, once.
    await database.db.execScript(`drop trigger crash_payments on payments; drop trigger crash_refunds on refunds; drop function crash_effect();`);
    clock += 10 * 60_000;
    expect(await runRetryJob()).toMatchObject({ claimed: 2, processed: 2, retryLater: 0, dead: 0 });
    expect((await events(tenantId)).map(({ status, attempts, last_error, due }) => ({ status, attempts, last_error, due }))).toEqual([
      { status: "processed", attempts: 3, last_error: null, due: false },
      { status: "processed", attempts: 3, last_error: null, due: false },
    ]);
    expect(await database.db.query("select amount, amount_refunded, status, enrollment_id from payments where tenant_id = $1", [tenantId]))
      .toEqual([{ amount: 20_000, amount_refunded: 5_000, status: "partially_refunded", enrollment_id: enrollmentId }]);

    // The provider's late redelivery finds them processed: acknowledged, not applied again.
    expect(await deliver(tenantId, payment)).toEqual({ status: 200, body: { received: 1, duplicates: 1, failed: 0 } });
    expect(await deliver(tenantId, refund)).toEqual({ status: 200, body: { received: 1, duplicates: 1, failed: 0 } });
    expect((await events(tenantId)).map((e) => e.attempts)).toEqual([3, 3]);
    expect(await runRetryJob()).toMatchObject({ claimed: 0 });
  });
});
