// The reconciliation job against a stand-in for Stripe's `GET /v1/events` (msw, at the HTTP layer, so the
// real SDK pages and maps errors), on PGlite and on a private PostgreSQL database (the job reconciles every
// tenant of the database, so it must not share one with suites running in parallel).
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { DbPool } from "../_shared/db/port.ts";
import { jobHandler } from "../_shared/http/job-handler.ts";
import { ADAPTERS } from "../../tests/support/database.ts";
import { openIsolatedDatabase } from "../../tests/support/private-database.ts";
import { jobRequest } from "../../tests/support/service-role.ts";
import { contextFor, testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { paymentIntent, signedStripeRequest, stripeEvent } from "../../tests/support/stripe.ts";
import { configureIntegration, createTenant } from "../../tests/support/tenants.ts";
import { insertFailedEvent } from "../../tests/support/webhook-events.ts";
import { stripeWebhook } from "../../tests/support/function-handlers.ts";
import { handler } from "./handler.ts";
import { createReconcileJob } from "./reconcile-job.ts";
import { EVENT_RETENTION_SECONDS } from "./reconcile-tenant.ts";

const STRIPE_API = "https://api.stripe.com";
const NOW_MS = Date.UTC(2026, 10, 26, 12, 0, 0);
const NOW = NOW_MS / 1000;
const WEBHOOK_SECRET = "whsec_reconcile_test_5c4b3a2918273645";

type StripeEventBody = ReturnType<typeof stripeEvent>;

/** One `GET /v1/events` as the stand-in received it. */
interface ListCall {
  key: string;
  query: Record<string, string>;
}

/**
 * Stripe's `GET /v1/events` for several accounts, by secret key: newest first, `limit` per page,
 * `starting_after` to page, `has_more`, and `created[gte]`/`delivery_success` honoured as Stripe does. An
 * unknown key is refused as Stripe refuses one (401 `invalid_request_error`, key masked in the message).
 */
function stripeEventsApi() {
  const accounts = new Map<string, StripeEventBody[]>();
  const calls: ListCall[] = [];
  const server = setupServer(
    http.get(`${STRIPE_API}/v1/events`, ({ request }) => {
      const url = new URL(request.url);
      const key = (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
      const query = Object.fromEntries(url.searchParams);
      calls.push({ key, query });
      const events = accounts.get(key);
      if (!events) {
        return HttpResponse.json(
          { error: { message: `Invalid API Key provided: ${key.slice(0, 8)}********${key.slice(-4)}`, type: "invalid_request_error" } },
          { status: 401, headers: { "request-id": "req_reconcile401" } },
        );
      }
      const gte = Number(query["created[gte]"] ?? 0);
      const undelivered = events.filter((e) => e.created >= gte && query.delivery_success === "false");
      const after = query.starting_after ? undelivered.findIndex((e) => e.id === query.starting_after) + 1 : 0;
      const limit = Number(query.limit ?? 10);
      const data = undelivered.slice(after, after + limit);
      return HttpResponse.json({ object: "list", url: "/v1/events", has_more: after + limit < undelivered.length, data });
    }),
  );
  return {
    server,
    calls,
    /** The account's undelivered events, newest first as Stripe lists them. */
    account: (key: string, events: StripeEventBody[]) => accounts.set(key, [...events].sort((a, b) => b.created - a.created)),
    reset: () => {
      accounts.clear();
      calls.length = 0;
      server.resetHandlers();
    },
  };
}

const api = stripeEventsApi();
const key = () => `sk_test_51Reconcile${crypto.randomUUID().replaceAll("-", "")}`;

/** `count` undelivered payment events, a second apart, all inside Stripe's 30 days. */
function paymentEvents(count: number, amount = 2_500) {
  return Array.from({ length: count }, (_, i) =>
    stripeEvent("payment_intent.succeeded", paymentIntent({ amount: amount + i }), { created: NOW - 86_400 + i }));
}

describe.each(ADAPTERS)("stripe-reconcile job on %s", (adapter) => {
  let db: DbPool;
  let close: () => Promise<void>;
  let services: Services & { logs: CapturedLogs };

  beforeAll(async () => {
    api.server.listen({ onUnhandledRequest: "error" });
    ({ db, close } = await openIsolatedDatabase(adapter, "reconcile"));
    services = await testServices(db, { now: () => NOW_MS });
  });
  afterAll(async () => {
    api.server.close();
    await close?.();
  });
  afterEach(async () => {
    api.reset();
    services.logs.lines.length = 0;
    // Private database: each test reconciles only its own tenants.
    await db.query("delete from tenants");
  });

  async function stripeTenant(secretKey: string | undefined, options: { enabled?: boolean } = {}) {
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, "stripe", { ...(secretKey ? { secretKey } : {}), webhookSecret: WEBHOOK_SECRET }, options);
    return tenantId;
  }

  async function run(job = handler) {
    const res = await job(await jobRequest("/api/jobs/stripe-reconcile"), contextFor(services));
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> };
  }

  const storedEvents = (tenantId: string) => db.query<{ external_id: string; status: string; attempts: number }>(
    "select external_id, status, attempts from webhook_events where tenant_id = $1 order by external_id", [tenantId]);
  const paymentCount = async (tenantId: string) =>
    (await db.query<{ n: number }>("select count(*)::int as n from payments where tenant_id = $1", [tenantId]))[0]!.n;

  it("pages through every undelivered event of the last 30 days and ingests the ones we lack, once", async () => {
    const secretKey = key();
    const tenantId = await stripeTenant(secretKey);
    const events = paymentEvents(230);
    // Older than Stripe keeps: never asked for, so never listed.
    const tooOld = stripeEvent("payment_intent.succeeded", paymentIntent(), { created: NOW - EVENT_RETENTION_SECONDS - 1 });
    api.account(secretKey, [...events, tooOld]);
    // One we already have (a late delivery got through), one stored as failed (the retry job's to finish).
    const delivered = events[10]!;
    const res = await stripeWebhook(
      signedStripeRequest(tenantId, JSON.stringify(delivered), { secret: WEBHOOK_SECRET, timestamp: NOW }),
      contextFor(services, { tenantId }),
    );
    expect(res.status).toBe(200);
    const failed = await insertFailedEvent(db, tenantId, events[20]!, { nextAttemptAt: new Date(NOW_MS + 60_000) });

    const result = await run();
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      tenants: 1, listed: 230, ingested: 228, alreadyStored: 2, failed: 0, incomplete: 0, tenantsFailed: 0, errors: [],
    });

    expect(api.calls.map((c) => c.query)).toEqual([
      { delivery_success: "false", "created[gte]": String(NOW - 30 * 86_400), limit: "100" },
      { delivery_success: "false", "created[gte]": String(NOW - 30 * 86_400), limit: "100", starting_after: expect.stringMatching(/^evt_/) },
      { delivery_success: "false", "created[gte]": String(NOW - 30 * 86_400), limit: "100", starting_after: expect.stringMatching(/^evt_/) },
    ]);
    expect(api.calls.every((c) => c.key === secretKey)).toBe(true);

    const stored = await storedEvents(tenantId);
    expect(stored).toHaveLength(230);
    expect(stored.filter((e) => e.status === "processed")).toHaveLength(229);
    // Neither the delivered event nor the failed one was applied again.
    expect(stored.find((e) => e.external_id === delivered.id)).toMatchObject({ status: "processed", attempts: 1 });
    expect(stored.find((e) => e.external_id === failed.externalId)).toMatchObject({ status: "failed", attempts: 1 });
    expect(await paymentCount(tenantId)).toBe(229);

    // A second run finds everything stored and applies nothing.
    const again = await run();
    expect(again.body).toMatchObject({ listed: 230, ingested: 0, alreadyStored: 230 });
    expect((await storedEvents(tenantId)).every((e) => e.attempts === 1)).toBe(true);
  });

  it("applies ingested events with the webhook's effects (payment, refund, subscription)", async () => {
    const secretKey = key();
    const tenantId = await stripeTenant(secretKey);
    const intent = paymentIntent({ amount: 30_000 });
    api.account(secretKey, [
      stripeEvent("payment_intent.succeeded", intent, { created: NOW - 300 }),
      stripeEvent("refund.updated", {
        id: "re_reconcile_1", object: "refund", amount: 10_000, currency: "usd", payment_intent: intent.id, status: "succeeded", reason: null,
      }, { created: NOW - 200 }),
      stripeEvent("customer.subscription.updated", {
        id: "sub_reconcile_1", object: "subscription", customer: "cus_reconcile", status: "active", cancel_at_period_end: false,
        items: { object: "list", data: [{ id: "si_1", price: { id: "price_tuition" }, current_period_end: NOW + 86_400 }] }, metadata: {},
      }, { created: NOW - 100 }),
    ]);
    expect((await run()).body).toMatchObject({ listed: 3, ingested: 3 });
    expect(await db.query("select amount, amount_refunded, status from payments where tenant_id = $1", [tenantId]))
      .toEqual([{ amount: 30_000, amount_refunded: 10_000, status: "partially_refunded" }]);
    expect(await db.query("select stripe_subscription_id, status from subscriptions where tenant_id = $1", [tenantId]))
      .toEqual([{ stripe_subscription_id: "sub_reconcile_1", status: "active" }]);
  });

  it("reports a tenant whose key Stripe refuses, and reconciles the others", async () => {
    const refused = await stripeTenant("sk_test_51RevokedKey0000000000000000abcd");
    const goodKey = key();
    const good = await stripeTenant(goodKey);
    api.account(goodKey, paymentEvents(3));

    const result = await run();
    expect(result.body).toMatchObject({
      tenants: 2, listed: 3, ingested: 3, tenantsFailed: 1, errors: [{ tenantId: refused, code: "stripe_authentication_error" }],
    });
    expect(await storedEvents(good)).toHaveLength(3);
    expect(await storedEvents(refused)).toHaveLength(0);
    const warning = services.logs.lines.find((l) => l.includes("tenant not reconciled"));
    expect(JSON.parse(warning!)).toMatchObject({ level: "warn", tenantId: refused, code: "stripe_authentication_error" });
    // Neither the refused key nor the good one appears anywhere we write.
    expect(`${result.text}\n${services.logs.lines.join("\n")}`).not.toMatch(/sk_test_|abcd"|whsec_/);
  });

  it.each([
    ["rate-limits", () => HttpResponse.json(
      { error: { code: "rate_limit", message: "Request rate limit exceeded.", type: "invalid_request_error" } }, { status: 429 },
    ), "stripe_rate_limit_error: rate_limit"],
    ["is unreachable", () => HttpResponse.error(), "stripe_connection_error"],
    ["fails", () => HttpResponse.json({ error: { message: "An unknown error occurred", type: "api_error" } }, { status: 500 }), "stripe_api_error"],
  ])("reports a tenant for which Stripe %s, and carries on", async (_, reply, code) => {
    const flakyKey = key();
    const flaky = await stripeTenant(flakyKey);
    const goodKey = key();
    const good = await stripeTenant(goodKey);
    api.account(goodKey, paymentEvents(2));
    api.server.use(http.get(`${STRIPE_API}/v1/events`, ({ request }) =>
      request.headers.get("authorization") === `Bearer ${flakyKey}` ? reply() : undefined));

    const result = await run();
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ tenants: 2, ingested: 2, tenantsFailed: 1, errors: [{ tenantId: flaky, code }] });
    expect(await storedEvents(good)).toHaveLength(2);
  });

  it("stores an event whose effect fails as failed, for the retry job", async () => {
    const secretKey = key();
    const tenantId = await stripeTenant(secretKey);
    const broken = stripeEvent("payment_intent.succeeded", paymentIntent({ amount: -1 }), { created: NOW - 60 }); // amount >= 0 fails
    api.account(secretKey, [broken]);
    expect((await run()).body).toMatchObject({ listed: 1, ingested: 0, failed: 1 });
    const [row] = await db.query<{ status: string; next_attempt_at: Date | null }>(
      "select status, next_attempt_at from webhook_events where tenant_id = $1", [tenantId]);
    expect(row!.status).toBe("failed");
    expect(row!.next_attempt_at).not.toBeNull();
  });

  it("skips tenants with Stripe disabled, and reports an enabled one without a secret key, calling Stripe for neither", async () => {
    await stripeTenant(key(), { enabled: false });
    const keyless = await stripeTenant(undefined);
    const result = await run();
    expect(result.body).toMatchObject({ tenants: 1, listed: 0, tenantsFailed: 1, errors: [{ tenantId: keyless, code: "missing_secret_key" }] });
    expect(api.calls).toEqual([]);
  });

  it("stops a tenant at the event cap and says the run is incomplete", async () => {
    const secretKey = key();
    const tenantId = await stripeTenant(secretKey);
    api.account(secretKey, paymentEvents(150));
    const result = await run(jobHandler("stripe-reconcile", createReconcileJob({ maxEventsPerTenant: 100 })));
    expect(result.body).toMatchObject({ listed: 100, ingested: 100, incomplete: 1 });
    expect(await storedEvents(tenantId)).toHaveLength(100);
    expect((await run()).body).toMatchObject({ listed: 150, ingested: 50, alreadyStored: 100, incomplete: 0 });
  });

  it("refuses a call without the service_role key", async () => {
    const res = await handler(await jobRequest("/api/jobs/stripe-reconcile", null), contextFor(services));
    expect(res.status).toBe(401);
    expect(api.calls).toEqual([]);
  });
});
