// Fault suite: PostgreSQL becomes unreachable mid-run. The functions reach it through a TCP proxy on
// loopback that the test cuts and restores. While it is cut, webhooks answer 503 (so the provider retries)
// and the retry job fails without counting an attempt; once it is back, every event ends up applied
// exactly once — checked by the load run's audit (tools/load/audit.ts) on a private database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../../functions/_shared/context.ts";
import type { DbPool } from "../../functions/_shared/db/port.ts";
import { DbUnavailableError } from "../../functions/_shared/db/port.ts";
import { createPostgresDb } from "../../functions/_shared/db/postgres.ts";
import { createEventGroups } from "../../functions/_shared/webhooks/event-groups.ts";
import { functionDefinition } from "../../functions/manifest.ts";
import { handler as retryJob } from "../../functions/webhook-retry/handler.ts";
import { auditRun } from "../../tools/load/audit.ts";
import { deliverAll } from "../../tools/load/deliver.ts";
import { seededRandom, shuffle } from "../../tools/load/random.ts";
import { buildScenario, type LoadTenant } from "../../tools/load/scenario.ts";
import { REAL_DATABASE_URL } from "../support/database.ts";
import { startTestServer } from "../support/http-server.ts";
import { openPrivateDatabase, type PrivateDatabase } from "../support/private-database.ts";
import { jobRequest } from "../support/service-role.ts";
import { contextFor, testServices, type CapturedLogs } from "../support/services.ts";
import { paymentIntent, stripeEvent, stripeSignature } from "../support/stripe.ts";
import { createEnrollment, createStripeTenant } from "../support/tenants.ts";
import { eventRow, insertFailedEvent } from "../support/webhook-events.ts";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.ts";

const CUT_MS = 1_500;
// Events in the outage run, each a signed Stripe delivery; 30% of them are delivered twice. 240 in the suite;
// FAULT_EVENTS=10000 runs the guide's full-size check (README, "Fault suite") on either runtime.
const EVENTS = Number(process.env.FAULT_EVENTS || 240);
const DUPLICATES = Math.round(EVENTS * 0.3);

describe.runIf(REAL_DATABASE_URL)("fault: PostgreSQL unreachable mid-run (real PostgreSQL only — without DATABASE_URL/TEST_DATABASE_URL there is no socket to cut, so this suite does not run)", () => {
  let database: PrivateDatabase;
  let proxy: TcpProxy;
  let db: DbPool;
  let services: Services & { logs: CapturedLogs };
  let server: Awaited<ReturnType<typeof startTestServer>>;

  beforeAll(async () => {
    database = await openPrivateDatabase("fault");
    const target = new URL(database.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    db = createPostgresDb(proxy.url(database.url), { max: 6 });
    // The per-IP webhook limit is not what is under test (every delivery here comes from one address).
    // Deliveries grouped as the dev server and Deno serve them (event-groups.ts): the path where one statement
    // carries several events is the one an outage must not make lose or double any of them.
    services = { ...(await testServices(db, { configOverrides: { WEBHOOK_RATE_LIMIT_PER_MINUTE: "0" } })), eventGroups: createEventGroups() };
    server = await startTestServer(services, [functionDefinition("stripe-webhook")]);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
    await proxy?.close();
    await database?.drop();
  });

  // database-outage-on-deno.test.ts runs this file on Deno and has it confirm the runtime it got.
  it.runIf(process.env.FAULT_SUITE_RUNTIME)(`runs on ${process.env.FAULT_SUITE_RUNTIME}`, () => {
    expect("Deno" in globalThis ? "deno" : "node").toBe(process.env.FAULT_SUITE_RUNTIME);
  });

  async function tenantsWithEnrollments(count: number): Promise<LoadTenant[]> {
    const tenants: LoadTenant[] = [];
    for (let t = 0; t < count; t++) {
      const webhookSecret = `whsec_fault_${crypto.randomUUID().replaceAll("-", "")}`;
      const id = await createStripeTenant(services, webhookSecret);
      tenants.push({ id, webhookSecret, enrollmentIds: [await createEnrollment(database.db, id), await createEnrollment(database.db, id)] });
    }
    return tenants;
  }

  const post = (tenantId: string, body: string, secret: string) => fetch(`${server.baseUrl}/api/webhooks/stripe/${tenantId}`, {
    method: "POST", headers: { "content-type": "application/json", "stripe-signature": stripeSignature(body, { secret }) }, body,
  });

  it(`answers 503 while the database is cut; the provider's retries then leave every one of ${EVENTS} events applied exactly once`, { timeout: 90_000 + EVENTS * 20 }, async () => {
    const tenants = await tenantsWithEnrollments(3);
    const [probeTenant] = await tenantsWithEnrollments(1);
    const scenario = buildScenario(`fault${crypto.randomUUID().slice(0, 8)}`, tenants, EVENTS, seededRandom(11), Math.floor(Date.now() / 1000));
    const random = seededRandom(12);
    const secretOf = new Map(tenants.map((t) => [t.id, t.webhookSecret]));
    const deliveries = shuffle([...scenario.events, ...shuffle([...scenario.events], random).slice(0, DUPLICATES)], random)
      .map((event) => ({ event, secret: secretOf.get(event.tenantId)! }));

    // The cut comes in the middle of the run, with 8 others in flight.
    const cutAt = Math.floor(deliveries.length / 2);
    let requests = 0;
    let probe: Promise<Response> | undefined;
    const probeBody = JSON.stringify(stripeEvent("payment_intent.succeeded", paymentIntent({ amount: 7_700 })));
    const figures = await deliverAll(deliveries, 8, (event) => {
      if (++requests === cutAt) {
        probe = proxy.cut().then(() => post(probeTenant!.id, probeBody, probeTenant!.webhookSecret));
        setTimeout(() => void proxy.restore(), CUT_MS);
      }
      return `${server.baseUrl}/api/webhooks/stripe/${event.tenantId}`;
    });

    const during = await probe!;
    expect(during.status).toBe(503);
    expect(during.headers.get("retry-after")).toBe("30");
    expect(await during.json()).toMatchObject({ status: 503, code: "ERR_DB_UNAVAILABLE" });
    // The provider retried through the outage: some deliveries were refused, none was given up on.
    expect(figures.serverErrors).toBeGreaterThan(0);
    expect(figures.gaveUp).toBe(0);
    // postgres.js 3.4.9, rarely, when a connection drops mid-query: a query left pending for good
    // (porsager/postgres#1186: a request then waits for the provider's timeout) or a SELECT resolved with no
    // rows (the integration looks missing: 404). Neither loses an event — the provider retries both — but
    // both are the driver's bugs, so they are reported here rather than hidden.
    if (figures.timeouts || Object.keys(figures.unexpected).length) {
      console.warn(`fault: retried after driver anomalies: ${figures.timeouts} timeouts, other answers ${JSON.stringify(figures.unexpected)}`);
    }

    const audit = await auditRun(database.db, scenario, figures.failedEventIds);
    expect(audit).toEqual({ stored: EVENTS, lost: 0, duplicated: 0, findings: [] });
    if (process.env.FAULT_EVENTS) {
      console.log(`fault (${"Deno" in globalThis ? "deno" : "node"}): ${deliveries.length} deliveries (${EVENTS} events, ${DUPLICATES} twice), ` +
        `cut ${CUT_MS} ms at delivery ${cutAt}: ${figures.serverErrors} answered 5xx and retried, audit ${JSON.stringify(audit)}`);
    }

    // The probe's retry, once the database is back, stores it (once).
    expect((await post(probeTenant!.id, probeBody, probeTenant!.webhookSecret)).status).toBe(200);
    expect(await database.db.query("select amount, status from payments where tenant_id = $1", [probeTenant!.id]))
      .toEqual([{ amount: 7_700, status: "succeeded" }]);

    const outageLines = services.logs.lines.filter((l) => l.includes("database unavailable; asking the provider to retry"));
    expect(outageLines.length).toBeGreaterThan(0);
    expect(services.logs.lines.join("\n")).not.toMatch(/whsec_|sk_test_/);
  });

  it("leaves a delivery cut in the middle of its statement wholly applied or not at all; the retry makes it exactly once", async () => {
    const [tenant] = await tenantsWithEnrollments(1);
    // Holds the payment upsert for a moment, so the cut lands inside the webhook's one atomic statement.
    await database.db.execScript(`
      create or replace function fault_hold_payment() returns trigger language plpgsql as $$
      begin perform pg_sleep(0.8); return new; end $$;
      create trigger fault_hold_payment before insert or update on payments for each row
        when (new.tenant_id = '${tenant!.id}') execute function fault_hold_payment();`);
    try {
      const event = stripeEvent("payment_intent.succeeded", paymentIntent({ amount: 5_300 }));
      const body = JSON.stringify(event);
      const pending = post(tenant!.id, body, tenant!.webhookSecret);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await proxy.cut();
      expect((await pending).status).toBe(503);
      await proxy.restore();
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // the held statement finishes (or rolls back) server-side

      const stored = await database.db.query("select status from webhook_events where external_id = $1", [event.id]);
      const applied = await database.db.query("select amount from payments where tenant_id = $1", [tenant!.id]);
      // Both or neither: storage and effect are one statement.
      expect(stored.length).toBe(applied.length);

      const retry = await post(tenant!.id, body, tenant!.webhookSecret);
      expect(retry.status).toBe(200);
      expect(await retry.json()).toEqual({ received: 1, duplicates: stored.length, failed: 0 });
      expect(await database.db.query("select status, attempts from webhook_events where external_id = $1", [event.id]))
        .toEqual([{ status: "processed", attempts: 1 }]);
      expect(await database.db.query("select amount from payments where tenant_id = $1", [tenant!.id])).toEqual([{ amount: 5_300 }]);
    } finally {
      await database.db.execScript("drop trigger if exists fault_hold_payment on payments; drop function if exists fault_hold_payment();");
    }
  });

  it("fails a statement left unanswered past the query timeout as unavailable, and its connection serves the next one", async () => {
    // One connection: were the late statement not cancelled, or its transaction's connection not handed back,
    // the statements after it would wait behind it and time out as well.
    const bounded = createPostgresDb(database.url, { max: 1, queryTimeoutMs: 1_500 }); // roomy: a loaded CI machine
    try {
      const started = performance.now();
      await expect(bounded.query("select pg_sleep(20)")).rejects.toBeInstanceOf(DbUnavailableError);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(await bounded.query("select 1 as one")).toEqual([{ one: 1 }]);
      await expect(bounded.transaction((tx) => tx.query("select pg_sleep(20)"))).rejects.toBeInstanceOf(DbUnavailableError);
      expect(await bounded.transaction((tx) => tx.query("select 2 as two"))).toEqual([{ two: 2 }]);
    } finally {
      await bounded.close();
    }
  });

  it("the retry job answers 503 while the database is cut and counts no attempt; once it is back it completes the event", async () => {
    await database.db.query("delete from webhook_events where status = 'failed'");
    const [tenant] = await tenantsWithEnrollments(1);
    const stored = await insertFailedEvent(database.db, tenant!.id, stripeEvent("payment_intent.succeeded", paymentIntent({ amount: 6_100 })));
    const request = await jobRequest("/api/jobs/webhook-retry");

    await proxy.cut();
    try {
      const res = await retryJob(request.clone(), contextFor(services));
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ code: "ERR_DB_UNAVAILABLE" });
    } finally {
      await proxy.restore();
    }
    expect(await eventRow(database.db, stored.id)).toMatchObject({ status: "failed", attempts: 1 });

    const res = await retryJob(request, contextFor(services));
    expect(await res.json()).toMatchObject({ claimed: 1, processed: 1 });
    expect(await eventRow(database.db, stored.id)).toMatchObject({ status: "processed", attempts: 2 });
    expect(await database.db.query("select amount from payments where tenant_id = $1", [tenant!.id])).toEqual([{ amount: 6_100 }]);
  });
});
