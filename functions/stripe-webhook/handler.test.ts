import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import { DbUnavailableError, type Db, type DbPool, type Row } from "../_shared/db/port.ts";
import { MAX_BODY_BYTES } from "../_shared/http/body-limit.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { paymentIntent, signedStripeRequest, stripeEvent, stripeSignature } from "../../tests/support/stripe.ts";
import { configureIntegration, createEnrollment, createStripeTenant, createTenant } from "../../tests/support/tenants.ts";
import { handler } from "./handler.ts";
import { createHmac } from "node:crypto";
import { faultyDb } from "../../tests/support/faulty-db.ts";
import { callHandler, type Delivery } from "../../tests/support/delivery.ts";

// ---------------------------------------------------------------------------------------------------------
// Clock, secrets, requests
// ---------------------------------------------------------------------------------------------------------

/** The injected clock: every request is verified against this instant, never against the wall clock. */
const NOW_MS = 1_790_000_000_000;
const NOW = Math.floor(NOW_MS / 1000);
/** Event `created` times used by the ordering tests (seconds, all before NOW). */
const T = (offset: number) => NOW - 10_000 + offset;

type TestServices = Services & { logs: CapturedLogs };

const uniqueSecret = () => `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
const rid = (prefix: string) => `${prefix}_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;


const send = (services: TestServices, params: Record<string, string | undefined>, req: Request): Promise<Delivery> =>
  callHandler(handler, services, params, req);

/** Signs `body` like Stripe (SDK's generateTestHeaderString) and posts it to the tenant's URL. */
function deliver(
  services: TestServices,
  tenantId: string | undefined,
  body: string | object,
  options: { secret: string; timestamp?: number; header?: string | null; params?: Record<string, string | undefined> },
): Promise<Delivery> {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const req = signedStripeRequest(tenantId, raw, {
    secret: options.secret,
    timestamp: options.timestamp ?? NOW,
    ...(options.header !== undefined ? { header: options.header } : {}),
  });
  return send(services, options.params ?? (tenantId === undefined ? {} : { tenantId }), req);
}

// ---------------------------------------------------------------------------------------------------------
// Stripe-shaped objects (fields as documented on docs.stripe.com/api)
// ---------------------------------------------------------------------------------------------------------

function charge(fields: { paymentIntent: string; amount?: number; amountRefunded?: number; refunds?: object[]; currency?: string }) {
  const amount = fields.amount ?? 10_000;
  const amountRefunded = fields.amountRefunded ?? 0;
  return {
    id: rid("ch"),
    object: "charge",
    amount,
    amount_captured: amount,
    amount_refunded: amountRefunded,
    captured: true,
    currency: fields.currency ?? "usd",
    customer: "cus_test_123",
    paid: true,
    payment_intent: fields.paymentIntent,
    refunded: amountRefunded >= amount,
    status: "succeeded",
    metadata: {},
    ...(fields.refunds ? { refunds: { object: "list", data: fields.refunds, has_more: false, url: "/v1/refunds" } } : {}),
  };
}

function refund(fields: { id?: string; paymentIntent: string; amount: number; status: string; currency?: string }) {
  return {
    id: fields.id ?? rid("re"),
    object: "refund",
    amount: fields.amount,
    charge: rid("ch"),
    created: NOW - 60,
    currency: fields.currency ?? "usd",
    metadata: {},
    payment_intent: fields.paymentIntent,
    reason: "requested_by_customer",
    status: fields.status,
  };
}

function checkoutSession(fields: {
  mode: "payment" | "subscription";
  paymentIntent?: string | null;
  subscription?: string | null;
  amountTotal?: number;
  paymentStatus?: string;
  enrollmentId?: string;
}) {
  return {
    id: rid("cs"),
    object: "checkout.session",
    amount_subtotal: fields.amountTotal ?? 15_000,
    amount_total: fields.amountTotal ?? 15_000,
    client_reference_id: null,
    currency: "usd",
    customer: "cus_test_123",
    livemode: false,
    metadata: fields.enrollmentId ? { enrollment_id: fields.enrollmentId } : {},
    mode: fields.mode,
    payment_intent: fields.paymentIntent ?? null,
    payment_status: fields.paymentStatus ?? "paid",
    status: "complete",
    subscription: fields.subscription ?? null,
  };
}

function subscription(fields: { id: string; status: string; priceId?: string; periodEnd?: number; enrollmentId?: string; canceledAt?: number }) {
  return {
    id: fields.id,
    object: "subscription",
    cancel_at_period_end: false,
    canceled_at: fields.canceledAt ?? null,
    currency: "usd",
    customer: "cus_test_123",
    items: {
      object: "list",
      data: [{
        id: rid("si"),
        object: "subscription_item",
        current_period_start: NOW - 86_400,
        current_period_end: fields.periodEnd ?? NOW + 30 * 86_400,
        price: { id: fields.priceId ?? "price_test_monthly", object: "price", currency: "usd", unit_amount: 50_000, recurring: { interval: "month" } },
        quantity: 1,
        subscription: fields.id,
      }],
      has_more: false,
    },
    metadata: fields.enrollmentId ? { enrollment_id: fields.enrollmentId } : {},
    status: fields.status,
  };
}

/** An invoice as API version 2025-03-31.basil delivers it: no top-level payment_intent or subscription. */
function basilInvoice(fields: { subscription: string; amountPaid?: number }) {
  const amount = fields.amountPaid ?? 50_000;
  return {
    id: rid("in"),
    object: "invoice",
    amount_due: amount,
    amount_paid: amount,
    amount_remaining: 0,
    billing_reason: "subscription_cycle",
    currency: "usd",
    customer: "cus_test_123",
    metadata: {},
    parent: {
      type: "subscription_details",
      quote_details: null,
      subscription_details: { metadata: {}, subscription: fields.subscription },
    },
    status: "paid",
  };
}

/** An invoice as API versions before basil deliver it: `payment_intent` and `subscription` at top level. */
function legacyInvoice(fields: { subscription: string; paymentIntent: string; amountPaid?: number }) {
  const amount = fields.amountPaid ?? 50_000;
  return {
    id: rid("in"),
    object: "invoice",
    amount_due: amount,
    amount_paid: amount,
    amount_remaining: 0,
    billing_reason: "subscription_cycle",
    charge: rid("ch"),
    currency: "usd",
    customer: "cus_test_123",
    metadata: {},
    paid: true,
    payment_intent: fields.paymentIntent,
    status: "paid",
    subscription: fields.subscription,
    subscription_details: { metadata: {} },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Database reads
// ---------------------------------------------------------------------------------------------------------

type EventRow = { external_id: string; event_type: string; status: string; attempts: number; last_error: string | null; processed_at: Date | null; payload: Record<string, unknown> };
type PaymentRow = {
  id: string; enrollment_id: string | null; kind: string; stripe_payment_intent: string | null; stripe_invoice: string | null;
  stripe_checkout_session: string | null; stripe_customer: string | null; amount: number; currency: string; status: string;
  amount_refunded: number; failure_reason: string | null; updated_at: Date;
};
type RefundRow = { stripe_refund_id: string; stripe_payment_intent: string | null; amount: number; status: string };
type SubscriptionRow = {
  stripe_subscription_id: string; enrollment_id: string | null; stripe_price_id: string | null; status: string;
  current_period_end: Date | null; canceled_at: Date | null; stripe_customer: string | null;
};

const webhookEvents = (db: Db, tenantId: string) => db.query<EventRow>(
  `select external_id, event_type, status, attempts, last_error, processed_at, payload
     from webhook_events where tenant_id = $1 and source = 'stripe' order by created_at, external_id`, [tenantId]);
const paymentsOf = (db: Db, tenantId: string) => db.query<PaymentRow>(
  `select id, enrollment_id, kind, stripe_payment_intent, stripe_invoice, stripe_checkout_session, stripe_customer, amount,
          currency, status, amount_refunded, failure_reason, updated_at
     from payments where tenant_id = $1 order by created_at, id`, [tenantId]);
const refundsOf = (db: Db, tenantId: string) => db.query<RefundRow>(
  "select stripe_refund_id, stripe_payment_intent, amount, status from refunds where tenant_id = $1 order by stripe_refund_id", [tenantId]);
const subscriptionsOf = (db: Db, tenantId: string) => db.query<SubscriptionRow>(
  `select stripe_subscription_id, enrollment_id, stripe_price_id, status, current_period_end, canceled_at, stripe_customer
     from subscriptions where tenant_id = $1`, [tenantId]);
const signatureFailures = (db: Db, tenantId: string) => db.query<{ source: string; reason: string } & Row>(
  "select * from webhook_signature_failures where tenant_id = $1 order by id", [tenantId]);


// ---------------------------------------------------------------------------------------------------------

describe.each(ADAPTERS)("stripe-webhook on %s", (adapter) => {
  let db: DbPool;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  /** Fresh services (injected clock, captured logs) and a new tenant with Stripe enabled under its own secret. */
  async function setup(options: { enabled?: boolean } = {}) {
    const services = await testServices(db, { now: () => NOW_MS });
    const secret = uniqueSecret();
    const tenantId = await createStripeTenant(services, secret, options);
    const post = (body: string | object, opts: { timestamp?: number; header?: string | null; secret?: string } = {}) =>
      deliver(services, tenantId, body, { secret, ...opts });
    return { services, secret, tenantId, post };
  }

  async function expectNothingStored(tenantId: string) {
    expect(await webhookEvents(db, tenantId)).toEqual([]);
    expect(await paymentsOf(db, tenantId)).toEqual([]);
    expect(await refundsOf(db, tenantId)).toEqual([]);
    expect(await subscriptionsOf(db, tenantId)).toEqual([]);
  }

  describe("verification, routing and storage", () => {
    it("stores a valid event as processed and applies it (200, webhook_events + payments rows)", async () => {
      const { services, tenantId, post } = await setup();
      const enrollmentId = await createEnrollment(db, tenantId);
      const intent = paymentIntent({ amount: 25_000, currency: "usd", enrollmentId, customer: "cus_test_abc" });
      const event = stripeEvent("payment_intent.succeeded", intent, { created: T(0) });

      const res = await post(event);

      expect(res.status).toBe(200);
      expect(res.json).toEqual({ received: 1, duplicates: 0, failed: 0 });
      const events = await webhookEvents(db, tenantId);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ external_id: event.id, event_type: "payment_intent.succeeded", status: "processed", attempts: 1, last_error: null });
      expect(events[0]!.processed_at).toBeInstanceOf(Date);
      expect(events[0]!.payload).toMatchObject({ id: event.id, type: "payment_intent.succeeded", data: { object: { id: intent.id } } });
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({
        stripe_payment_intent: intent.id, enrollment_id: enrollmentId, kind: "enrollment_fee", amount: 25_000,
        currency: "usd", status: "succeeded", amount_refunded: 0, stripe_customer: "cus_test_abc", failure_reason: null,
      })]);
      expect(await signatureFailures(db, tenantId)).toEqual([]);
      expect(services.logs.lines.some((l) => l.includes('"msg":"event stored"') && l.includes(event.id))).toBe(true);
    });

    it("accepts the request when any one of several v1 signatures matches (secret being rolled)", async () => {
      const { tenantId, post, secret } = await setup();
      const event = stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) });
      const raw = JSON.stringify(event);
      const good = stripeSignature(raw, { secret, timestamp: NOW }).split(",").find((p) => p.startsWith("v1="))!;
      const other = stripeSignature(raw, { secret: uniqueSecret(), timestamp: NOW }).split(",").find((p) => p.startsWith("v1="))!;

      const res = await post(raw, { header: `t=${NOW},${other},${good}` });

      expect(res.status).toBe(200);
      expect(await webhookEvents(db, tenantId)).toHaveLength(1);
    });

    it("answers 401 without a Stripe-Signature header, stores nothing and records the failure (reason only)", async () => {
      const { tenantId, post } = await setup();
      const event = stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) });

      const res = await post(event, { header: null });

      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ status: 401, code: "ERR_WEBHOOK_MISSING_HEADER" });
      await expectNothingStored(tenantId);
      const failures = await signatureFailures(db, tenantId);
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ source: "stripe", reason: "ERR_WEBHOOK_MISSING_HEADER" });
      // Reason code only: the row has no column that could hold a body, a header or a secret.
      expect(Object.keys(failures[0]!).sort()).toEqual(["created_at", "id", "reason", "source", "tenant_id"]);
      expect(JSON.stringify(failures)).not.toContain(event.id);
    });

    it("answers 401 to a header with only a v0 signature (Stripe's test-mode decoy), even a correct one", async () => {
      const { tenantId, post, secret } = await setup();
      const raw = JSON.stringify(stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) }));
      const v0 = createHmac("sha256", secret).update(`${NOW}.${raw}`).digest("hex");

      const res = await post(raw, { header: `t=${NOW},v0=${v0}` });

      expect(res.status).toBe(401);
      expect(res.json.code).toBe("ERR_WEBHOOK_SIGNATURE");
      await expectNothingStored(tenantId);
      expect((await signatureFailures(db, tenantId)).map((f) => f.reason)).toEqual(["ERR_WEBHOOK_SIGNATURE"]);
    });

    it("answers 401 to garbage Stripe-Signature headers and records each attempt", async () => {
      const { tenantId, post, secret } = await setup();
      const raw = JSON.stringify(stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) }));
      const realV1 = createHmac("sha256", secret).update(`${NOW}.${raw}`).digest("hex");
      const garbage = [
        "garbage",
        "t=,v1=",
        `t=${NOW}`, // no signature
        `v1=${realV1}`, // no timestamp
        `t=not-a-number,v1=${realV1}`,
        `t=${NOW},v1=${realV1.slice(0, 63)}`, // truncated hex
        `t=${NOW},v1=${realV1.toUpperCase().replace(/[0-9]/g, "Z")}`, // not hex
        `t=${NOW},v1=${"0".repeat(64)}`,
        "t=1,v1=2,v1=3,===,,,",
        "\u00e9\u00e9\u00e9",
      ];
      for (const header of garbage) {
        const res = await post(raw, { header });
        expect(res.status, header).toBe(401);
        expect(["ERR_WEBHOOK_SIGNATURE", "ERR_WEBHOOK_TIMESTAMP"]).toContain(res.json.code);
      }
      await expectNothingStored(tenantId);
      expect(await signatureFailures(db, tenantId)).toHaveLength(garbage.length);
    });

    it("answers 401 to a signature made with the wrong secret", async () => {
      const { tenantId, post } = await setup();
      const res = await post(stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) }), { secret: uniqueSecret() });

      expect(res.status).toBe(401);
      expect(res.json.code).toBe("ERR_WEBHOOK_SIGNATURE");
      await expectNothingStored(tenantId);
      expect((await signatureFailures(db, tenantId)).map((f) => f.reason)).toEqual(["ERR_WEBHOOK_SIGNATURE"]);
    });

    it("answers 401 when tenant A's valid signature is sent to tenant B's URL", async () => {
      const a = await setup();
      const b = await setup();
      const event = stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) });

      const res = await deliver(b.services, b.tenantId, event, { secret: a.secret });

      expect(res.status).toBe(401);
      expect(res.json.code).toBe("ERR_WEBHOOK_SIGNATURE");
      await expectNothingStored(b.tenantId);
      await expectNothingStored(a.tenantId);
      expect((await signatureFailures(db, b.tenantId)).map((f) => f.reason)).toEqual(["ERR_WEBHOOK_SIGNATURE"]);
      expect(await signatureFailures(db, a.tenantId)).toEqual([]);
      // The same request to A's own URL is accepted.
      expect((await deliver(a.services, a.tenantId, event, { secret: a.secret })).status).toBe(200);
      expect(await webhookEvents(db, a.tenantId)).toHaveLength(1);
    });

    it("answers 401 to a timestamp 301 s old (injected clock) and accepts one exactly 300 s old", async () => {
      const { tenantId, post } = await setup();
      const stale = stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) });

      const res = await post(stale, { timestamp: NOW - 301 });

      expect(res.status).toBe(401);
      expect(res.json.code).toBe("ERR_WEBHOOK_TIMESTAMP");
      await expectNothingStored(tenantId);
      expect((await signatureFailures(db, tenantId)).map((f) => f.reason)).toEqual(["ERR_WEBHOOK_TIMESTAMP"]);

      const edge = stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) });
      expect((await post(edge, { timestamp: NOW - 300 })).status).toBe(200);
      expect((await webhookEvents(db, tenantId)).map((e) => e.external_id)).toEqual([edge.id]);
    });

    it("answers 401 to a timestamp 301 s in the future and accepts one exactly 300 s ahead", async () => {
      const { tenantId, post } = await setup();
      const future = stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) });

      const res = await post(future, { timestamp: NOW + 301 });

      expect(res.status).toBe(401);
      expect(res.json.code).toBe("ERR_WEBHOOK_TIMESTAMP");
      await expectNothingStored(tenantId);

      const edge = stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) });
      expect((await post(edge, { timestamp: NOW + 300 })).status).toBe(200);
      expect((await webhookEvents(db, tenantId)).map((e) => e.external_id)).toEqual([edge.id]);
    });

    it("answers 401 to a body changed after signing", async () => {
      const { tenantId, secret, services } = await setup();
      const intent = paymentIntent({ amount: 25_000 });
      const raw = JSON.stringify(stripeEvent("payment_intent.succeeded", intent, { created: T(0) }));
      const header = stripeSignature(raw, { secret, timestamp: NOW });
      const tampered = raw.replace('"amount":25000', '"amount":1');
      expect(tampered).not.toBe(raw);

      const res = await deliver(services, tenantId, tampered, { secret, header });
      // Re-serialising (whitespace only) is a change too: the raw bytes are what is signed.
      const reformatted = await deliver(services, tenantId, JSON.stringify(JSON.parse(raw), null, 2), { secret, header });

      expect(res.status).toBe(401);
      expect(reformatted.status).toBe(401);
      await expectNothingStored(tenantId);
      expect(await signatureFailures(db, tenantId)).toHaveLength(2);
      // The untouched body with the same header is fine.
      expect((await deliver(services, tenantId, raw, { secret, header })).status).toBe(200);
    });

    it("answers 400 to a correctly signed body that is not JSON, storing nothing", async () => {
      const { tenantId, post } = await setup();

      const res = await post('{"id":"evt_1","type":"payment_intent.succeeded",');

      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ status: 400, code: "ERR_WEBHOOK_PAYLOAD" });
      await expectNothingStored(tenantId);
      expect(await signatureFailures(db, tenantId)).toEqual([]);
    });

    it("answers 400 to correctly signed JSON that is not a Stripe event, storing nothing", async () => {
      const { tenantId, post } = await setup();
      const notEvents = [
        "null",
        "[]",
        '"evt_1"',
        "42",
        JSON.stringify({ hello: "world" }),
        JSON.stringify({ id: "evt_1", type: "payment_intent.succeeded", created: NOW }), // no data.object
        JSON.stringify({ id: "evt_1", type: "payment_intent.succeeded", created: "yesterday", data: { object: {} } }),
        JSON.stringify({ id: 1, type: "payment_intent.succeeded", created: NOW, data: { object: {} } }),
        JSON.stringify({ id: "evt_1", type: "payment_intent.succeeded", created: NOW, data: { object: null } }),
      ];
      for (const body of notEvents) {
        const res = await post(body);
        expect(res.status, body).toBe(400);
        expect(res.json.code).toBe("ERR_WEBHOOK_PAYLOAD");
      }
      await expectNothingStored(tenantId);
      expect(await signatureFailures(db, tenantId)).toEqual([]);
    });

    it("answers 413 to a body over 1 MiB (with or without Content-Length) and accepts exactly 1 MiB", async () => {
      const { tenantId, post, secret, services } = await setup();
      const sized = (bytes: number) => {
        const event = stripeEvent("payment_intent.succeeded", { ...paymentIntent(), description: "" }, { created: T(0) });
        const base = JSON.stringify(event).length;
        event.data.object.description = "x".repeat(bytes - base);
        const raw = JSON.stringify(event);
        expect(new TextEncoder().encode(raw).byteLength).toBe(bytes);
        return { raw, id: event.id };
      };

      const over = sized(MAX_BODY_BYTES + 1);
      const streamed = await post(over.raw);
      const declaredReq = signedStripeRequest(tenantId, over.raw, { secret, timestamp: NOW });
      declaredReq.headers.set("content-length", String(MAX_BODY_BYTES + 1));
      const declared = await send(services, { tenantId }, declaredReq);

      expect(streamed.status).toBe(413);
      expect(declared.status).toBe(413);
      await expectNothingStored(tenantId);

      const exact = sized(MAX_BODY_BYTES);
      expect((await post(exact.raw)).status).toBe(200);
      expect((await webhookEvents(db, tenantId)).map((e) => e.external_id)).toEqual([exact.id]);
    });

    it("answers 404 to an unknown tenant uuid, a non-uuid tenant id, and a tenant without Stripe", async () => {
      const services = await testServices(db, { now: () => NOW_MS });
      const secret = uniqueSecret();
      const event = stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) });
      const withoutStripe = await createTenant(db);
      await configureIntegration(services, withoutStripe, "zoom", { webhookSecretToken: "zoom-token-1234567890" });
      const stripeWithoutWebhookSecret = await createTenant(db);
      await configureIntegration(services, stripeWithoutWebhookSecret, "stripe", { secretKey: "sk_test_51Example000000000" });

      for (const tenantId of [crypto.randomUUID(), "not-a-uuid", "1; drop table payments", "../../admin", "", withoutStripe, stripeWithoutWebhookSecret]) {
        const res = await deliver(services, tenantId || undefined, event, { secret, params: { tenantId } });
        expect(res.status, tenantId).toBe(404);
        expect(res.text).not.toContain(secret);
      }
      for (const tenantId of [withoutStripe, stripeWithoutWebhookSecret]) {
        await expectNothingStored(tenantId);
        expect(await signatureFailures(db, tenantId)).toEqual([]);
      }
      expect(await db.query("select 1 from webhook_events where external_id = $1", [event.id])).toEqual([]);
    });

    it("answers 403 when the tenant's Stripe integration is disabled, storing nothing", async () => {
      const { tenantId, post } = await setup({ enabled: false });
      const res = await post(stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) }));

      expect(res.status).toBe(403);
      expect(res.json.code).toBe("ERR_INTEGRATION_DISABLED");
      await expectNothingStored(tenantId);
      expect(await signatureFailures(db, tenantId)).toEqual([]);
    });

    it("acknowledges a duplicate delivery (200) without storing or applying it twice", async () => {
      const { tenantId, post } = await setup();
      const intent = paymentIntent({ amount: 12_000 });
      const event = stripeEvent("payment_intent.succeeded", intent, { created: T(0) });

      const first = await post(event);
      const [paymentBefore] = await paymentsOf(db, tenantId);
      // Stripe's retry carries the same body under a fresh signature.
      const second = await post(event, { timestamp: NOW - 5 });
      const third = await post(event);

      expect(first.status).toBe(200);
      expect(first.json).toEqual({ received: 1, duplicates: 0, failed: 0 });
      for (const again of [second, third]) {
        expect(again.status).toBe(200);
        expect(again.json).toEqual({ received: 1, duplicates: 1, failed: 0 });
      }
      const events = await webhookEvents(db, tenantId);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ external_id: event.id, status: "processed", attempts: 1 });
      const payments = await paymentsOf(db, tenantId);
      expect(payments).toHaveLength(1);
      // Not re-applied: the row was not touched again.
      expect(payments[0]!.updated_at.getTime()).toBe(paymentBefore!.updated_at.getTime());
      expect(payments[0]).toMatchObject({ amount: 12_000, status: "succeeded" });
    });

    it("handles concurrent deliveries (duplicates and out-of-order events at once) without double-applying", async () => {
      const { tenantId, post } = await setup();
      const intent = paymentIntent({ amount: 10_000 });
      const succeeded = stripeEvent("payment_intent.succeeded", intent, { created: T(20) });
      const processing = stripeEvent("payment_intent.processing", { ...intent, status: "processing" }, { created: T(10) });
      const refunded = stripeEvent("charge.refunded", charge({ paymentIntent: intent.id, amount: 10_000, amountRefunded: 2_500 }), { created: T(30) });

      const responses = await Promise.all([succeeded, succeeded, processing, succeeded, refunded, succeeded, processing].map((e) => post(e)));

      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
      expect(responses.reduce((n, r) => n + (r.json.duplicates as number), 0)).toBe(4);
      expect(responses.reduce((n, r) => n + (r.json.failed as number), 0)).toBe(0);
      const events = await webhookEvents(db, tenantId);
      expect(events.map((e) => e.external_id).sort()).toEqual([succeeded.id, processing.id, refunded.id].sort());
      expect(events.every((e) => e.status === "processed" && e.attempts === 1)).toBe(true);
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ amount: 10_000, amount_refunded: 2_500, status: "partially_refunded" })]);
    });

    it("picks up a webhook secret rotated on another instance despite the integration cache", async () => {
      const services = await testServices(db, { now: () => NOW_MS, cacheTtlMs: 60_000 });
      const oldSecret = uniqueSecret();
      const newSecret = uniqueSecret();
      const tenantId = await createStripeTenant(services, oldSecret);
      expect((await deliver(services, tenantId, stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) }), { secret: oldSecret })).status).toBe(200);
      // Saved straight to the database, as another function instance would: this instance's cache still holds the old one.
      await configureIntegration(services, tenantId, "stripe", { webhookSecret: newSecret });

      const rotated = await deliver(services, tenantId, stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(1) }), { secret: newSecret });
      const stale = await deliver(services, tenantId, stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(2) }), { secret: oldSecret });

      expect(rotated.status).toBe(200);
      expect(stale.status).toBe(401);
      expect(await webhookEvents(db, tenantId)).toHaveLength(2);
      expect((await signatureFailures(db, tenantId)).map((f) => f.reason)).toEqual(["ERR_WEBHOOK_SIGNATURE"]);
    });

    it("does not let a duplicate event id re-apply a different body (idempotency is by event.id)", async () => {
      const { tenantId, post } = await setup();
      const intent = paymentIntent({ amount: 12_000 });
      const event = stripeEvent("payment_intent.succeeded", intent, { created: T(0) });
      await post(event);

      const changed = { ...event, data: { object: { ...intent, amount: 99 } } };
      const res = await post(changed);

      expect(res.json).toEqual({ received: 1, duplicates: 1, failed: 0 });
      expect((await paymentsOf(db, tenantId)).map((p) => p.amount)).toEqual([12_000]);
    });

    it("stores and acknowledges an unknown event type without touching payments", async () => {
      const { tenantId, post } = await setup();
      const event = stripeEvent("customer.tax_id.created", { id: "txi_test_1", object: "tax_id", type: "eu_vat", value: "DE123456789" }, { created: T(0) });

      const res = await post(event);

      expect(res.status).toBe(200);
      expect(res.json).toEqual({ received: 1, duplicates: 0, failed: 0 });
      expect(await webhookEvents(db, tenantId)).toEqual([expect.objectContaining({ external_id: event.id, event_type: "customer.tax_id.created", status: "processed", attempts: 1 })]);
      expect(await paymentsOf(db, tenantId)).toEqual([]);
      expect(await refundsOf(db, tenantId)).toEqual([]);
      expect(await subscriptionsOf(db, tenantId)).toEqual([]);
    });

    it("stores an event whose apply fails as 'failed' with the error (200), and retries it on redelivery", async () => {
      const { tenantId, post } = await setup();
      // amount < 0 violates payments' CHECK (amount >= 0): the apply throws inside the transaction.
      const event = stripeEvent("payment_intent.succeeded", paymentIntent({ amount: -500 }), { created: T(0) });

      const res = await post(event);

      expect(res.status).toBe(200);
      expect(res.json).toEqual({ received: 1, duplicates: 0, failed: 1 });
      let [row] = await webhookEvents(db, tenantId);
      expect(row).toMatchObject({ external_id: event.id, status: "failed", attempts: 1, processed_at: null });
      expect(row!.last_error).toMatch(/check constraint/i);
      expect(await paymentsOf(db, tenantId)).toEqual([]);

      const again = await post(event);

      expect(again.status).toBe(200);
      expect(again.json).toEqual({ received: 1, duplicates: 0, failed: 1 });
      const events = await webhookEvents(db, tenantId);
      expect(events).toHaveLength(1);
      [row] = events;
      expect(row).toMatchObject({ status: "failed", attempts: 2 });
      expect(row!.last_error).toMatch(/check constraint/i);
      expect(await paymentsOf(db, tenantId)).toEqual([]);
    });

    it("rolls back every write of an apply that fails part-way (no partial payment row)", async () => {
      const { tenantId, post } = await setup();
      const pi = rid("pi");
      // charge.refunded first upserts the payment, then each listed refund: the negative refund fails the CHECK.
      const event = stripeEvent("charge.refunded", charge({
        paymentIntent: pi, amount: 10_000, amountRefunded: 2_000,
        refunds: [refund({ paymentIntent: pi, amount: 2_000, status: "succeeded" }), refund({ paymentIntent: pi, amount: -1, status: "succeeded" })],
      }), { created: T(0) });

      const res = await post(event);

      expect(res.status).toBe(200);
      expect(res.json.failed).toBe(1);
      expect(await webhookEvents(db, tenantId)).toEqual([expect.objectContaining({ status: "failed", attempts: 1 })]);
      expect(await paymentsOf(db, tenantId)).toEqual([]);
      expect(await refundsOf(db, tenantId)).toEqual([]);
    });

    it("re-applies a failed event on redelivery and marks it processed once the apply succeeds", async () => {
      let failuresLeft = 1;
      const flaky = faultyDb(db, (text) => (text.includes("insert into payments") && failuresLeft-- > 0 ? new Error("injected apply failure") : undefined));
      const services = await testServices(flaky, { now: () => NOW_MS });
      const secret = uniqueSecret();
      const tenantId = await createStripeTenant(services, secret);
      const intent = paymentIntent({ amount: 7_000 });
      const event = stripeEvent("payment_intent.succeeded", intent, { created: T(0) });

      const first = await deliver(services, tenantId, event, { secret });
      expect(first.status).toBe(200);
      expect(first.json.failed).toBe(1);
      expect(await webhookEvents(db, tenantId)).toEqual([expect.objectContaining({ status: "failed", attempts: 1, last_error: "Error: injected apply failure" })]);
      expect(await paymentsOf(db, tenantId)).toEqual([]);

      const second = await deliver(services, tenantId, event, { secret });

      expect(second.status).toBe(200);
      expect(second.json).toEqual({ received: 1, duplicates: 0, failed: 0 });
      const [row] = await webhookEvents(db, tenantId);
      expect(row).toMatchObject({ status: "processed", attempts: 2, last_error: null });
      expect(row!.processed_at).toBeInstanceOf(Date);
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ stripe_payment_intent: intent.id, amount: 7_000, status: "succeeded" })]);
      // A further redelivery is now a duplicate.
      expect((await deliver(services, tenantId, event, { secret })).json).toEqual({ received: 1, duplicates: 1, failed: 0 });
    });

    it("answers 503 with Retry-After when the database drops mid-apply, leaving nothing half-written", async () => {
      const lost = faultyDb(db, (text) => (text.includes("insert into payments") ? new DbUnavailableError("database unavailable: ECONNRESET") : undefined));
      const services = await testServices(lost, { now: () => NOW_MS });
      const secret = uniqueSecret();
      const tenantId = await createStripeTenant(services, secret);

      const res = await deliver(services, tenantId, stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) }), { secret });

      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("30");
      await expectNothingStored(tenantId);
    });

    it("never puts the webhook secret or the raw body in a log line or a response", async () => {
      const { services, tenantId, post, secret } = await setup();
      const marker = `BODY-ONLY-${crypto.randomUUID()}`;
      const intent = { ...paymentIntent({ amount: 4_200 }), description: marker, receipt_email: `${marker}@example.test` };
      const event = stripeEvent("payment_intent.succeeded", intent, { created: T(0) });
      const raw = JSON.stringify(event);
      const failing = JSON.stringify(stripeEvent("payment_intent.succeeded", { ...paymentIntent({ amount: -1 }), description: marker }, { created: T(0) }));
      const disabled = await setup({ enabled: false });

      const responses = [
        await post(raw),
        await post(raw), // duplicate
        await post(raw, { header: null }),
        await post(raw, { secret: uniqueSecret() }),
        await post(raw, { timestamp: NOW - 3_600 }),
        await post(`{"broken": "${marker}"`),
        await post(JSON.stringify({ note: marker })),
        await post(failing),
        await post(raw.replace('"amount":4200', '"amount":4201'), { header: stripeSignature(raw, { secret, timestamp: NOW }) }),
        await deliver(disabled.services, disabled.tenantId, raw, { secret: disabled.secret }),
        await deliver(services, crypto.randomUUID(), raw, { secret }),
      ];

      expect(responses.map((r) => r.status)).toEqual([200, 200, 401, 401, 401, 400, 400, 200, 401, 403, 404]);
      const texts = [...responses.map((r) => r.text), ...services.logs.lines, ...disabled.services.logs.lines];
      expect(services.logs.lines.length).toBeGreaterThan(0);
      for (const text of texts) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(secret.slice("whsec_".length));
        expect(text).not.toContain(disabled.secret);
        expect(text).not.toContain(raw);
        expect(text).not.toContain(marker);
      }
      // The failed apply kept its error, which must not quote the payload either.
      const failed = (await webhookEvents(db, tenantId)).find((e) => e.status === "failed");
      expect(failed?.last_error).toBeTruthy();
      expect(failed!.last_error).not.toContain(marker);
    });
  });

  describe("ordering: statuses only move forward", () => {
    it("keeps 'succeeded' when an older payment_intent.processing arrives late", async () => {
      const { tenantId, post } = await setup();
      const intent = paymentIntent({ amount: 25_000 });

      await post(stripeEvent("payment_intent.succeeded", { ...intent, status: "succeeded" }, { created: T(20) }));
      const late = await post(stripeEvent("payment_intent.processing", { ...intent, status: "processing" }, { created: T(10) }));

      expect(late.status).toBe(200);
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ stripe_payment_intent: intent.id, status: "succeeded", amount: 25_000 })]);
      expect((await webhookEvents(db, tenantId)).map((e) => e.status)).toEqual(["processed", "processed"]);
    });

    it("moves processing → succeeded in order", async () => {
      const { tenantId, post } = await setup();
      const intent = paymentIntent({ amount: 25_000 });

      await post(stripeEvent("payment_intent.processing", { ...intent, status: "processing" }, { created: T(10) }));
      expect((await paymentsOf(db, tenantId)).map((p) => p.status)).toEqual(["processing"]);
      await post(stripeEvent("payment_intent.succeeded", { ...intent, status: "succeeded" }, { created: T(20) }));

      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ status: "succeeded", amount: 25_000 })]);
    });

    it("moves payment_failed → succeeded when the success is newer, clearing the failure reason", async () => {
      const { tenantId, post } = await setup();
      const intent = paymentIntent({ amount: 9_900 });

      await post(stripeEvent("payment_intent.payment_failed", { ...intent, status: "requires_payment_method", last_payment_error: { code: "card_declined", message: "Your card was declined." } }, { created: T(10) }));
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ status: "failed", failure_reason: "Your card was declined." })]);
      await post(stripeEvent("payment_intent.succeeded", { ...intent, status: "succeeded" }, { created: T(20) }));

      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ status: "succeeded", failure_reason: null, amount: 9_900 })]);
    });

    it("keeps 'succeeded' even when a payment_failed with a newer created arrives afterwards (rank beats time)", async () => {
      const { tenantId, post } = await setup();
      const intent = paymentIntent({ amount: 9_900 });

      await post(stripeEvent("payment_intent.succeeded", { ...intent, status: "succeeded" }, { created: T(10) }));
      await post(stripeEvent("payment_intent.payment_failed", { ...intent, status: "requires_payment_method", last_payment_error: { message: "declined" } }, { created: T(20) }));

      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ status: "succeeded", failure_reason: null })]);
    });

    it("charge.refunded partial then full: amount_refunded grows and status goes partially_refunded → refunded", async () => {
      const { tenantId, post } = await setup();
      const intent = paymentIntent({ amount: 10_000 });
      await post(stripeEvent("payment_intent.succeeded", intent, { created: T(0) }));

      await post(stripeEvent("charge.refunded", charge({ paymentIntent: intent.id, amount: 10_000, amountRefunded: 3_000 }), { created: T(10) }));
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ amount: 10_000, amount_refunded: 3_000, status: "partially_refunded" })]);

      await post(stripeEvent("charge.refunded", charge({ paymentIntent: intent.id, amount: 10_000, amountRefunded: 10_000 }), { created: T(20) }));
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ amount: 10_000, amount_refunded: 10_000, status: "refunded" })]);
    });

    it("charge.refunded full then a late partial one never lowers the refund", async () => {
      const { tenantId, post } = await setup();
      const intent = paymentIntent({ amount: 10_000 });
      await post(stripeEvent("payment_intent.succeeded", intent, { created: T(0) }));

      await post(stripeEvent("charge.refunded", charge({ paymentIntent: intent.id, amount: 10_000, amountRefunded: 10_000 }), { created: T(20) }));
      await post(stripeEvent("charge.refunded", charge({ paymentIntent: intent.id, amount: 10_000, amountRefunded: 3_000 }), { created: T(10) }));

      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ amount_refunded: 10_000, status: "refunded" })]);
    });

    it("keeps a partial refund that arrives before payment_intent.succeeded (status partially_refunded, links filled in)", async () => {
      const { tenantId, post } = await setup();
      const enrollmentId = await createEnrollment(db, tenantId);
      const intent = paymentIntent({ amount: 10_000, enrollmentId });

      await post(stripeEvent("charge.refunded", charge({ paymentIntent: intent.id, amount: 10_000, amountRefunded: 4_000 }), { created: T(20) }));
      await post(stripeEvent("payment_intent.succeeded", intent, { created: T(10) }));

      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({
        stripe_payment_intent: intent.id, amount: 10_000, amount_refunded: 4_000, status: "partially_refunded",
        enrollment_id: enrollmentId, kind: "enrollment_fee",
      })]);
    });

    it("keeps a full refund that arrives before payment_intent.succeeded (status refunded)", async () => {
      const { tenantId, post } = await setup();
      const intent = paymentIntent({ amount: 10_000 });

      await post(stripeEvent("charge.refunded", charge({ paymentIntent: intent.id, amount: 10_000, amountRefunded: 10_000 }), { created: T(20) }));
      await post(stripeEvent("payment_intent.succeeded", intent, { created: T(10) }));
      await post(stripeEvent("payment_intent.processing", { ...intent, status: "processing" }, { created: T(5) }));

      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ amount: 10_000, amount_refunded: 10_000, status: "refunded" })]);
    });

    it("refund.created (pending) changes nothing on the payment; refund.updated (succeeded) then counts it", async () => {
      const { tenantId, post } = await setup();
      const intent = paymentIntent({ amount: 10_000 });
      await post(stripeEvent("payment_intent.succeeded", intent, { created: T(0) }));
      const re = refund({ paymentIntent: intent.id, amount: 2_500, status: "pending" });

      await post(stripeEvent("refund.created", re, { created: T(10) }));
      expect(await refundsOf(db, tenantId)).toEqual([{ stripe_refund_id: re.id, stripe_payment_intent: intent.id, amount: 2_500, status: "pending" }]);
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ amount_refunded: 0, status: "succeeded" })]);

      await post(stripeEvent("refund.updated", { ...re, status: "succeeded" }, { created: T(20) }));
      expect(await refundsOf(db, tenantId)).toEqual([expect.objectContaining({ stripe_refund_id: re.id, status: "succeeded" })]);
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ amount_refunded: 2_500, status: "partially_refunded" })]);
    });

    it("refund events in reverse order: a late 'pending' neither regresses the refund nor the payment", async () => {
      const { tenantId, post } = await setup();
      const intent = paymentIntent({ amount: 10_000 });
      await post(stripeEvent("payment_intent.succeeded", intent, { created: T(0) }));
      const first = refund({ paymentIntent: intent.id, amount: 4_000, status: "pending" });
      const second = refund({ paymentIntent: intent.id, amount: 6_000, status: "pending" });

      await post(stripeEvent("refund.updated", { ...second, status: "succeeded" }, { created: T(40) }));
      await post(stripeEvent("refund.updated", { ...first, status: "succeeded" }, { created: T(30) }));
      await post(stripeEvent("refund.created", second, { created: T(20) }));
      await post(stripeEvent("refund.created", first, { created: T(10) }));

      expect((await refundsOf(db, tenantId)).map((r) => r.status)).toEqual(["succeeded", "succeeded"]);
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ amount: 10_000, amount_refunded: 10_000, status: "refunded" })]);
    });

    it("counts a refund seen before its payment once the payment arrives", async () => {
      const { tenantId, post } = await setup();
      const intent = paymentIntent({ amount: 10_000 });

      await post(stripeEvent("refund.updated", refund({ paymentIntent: intent.id, amount: 1_000, status: "succeeded" }), { created: T(20) }));
      // Neither a pending nor a failed refund counts.
      await post(stripeEvent("refund.created", refund({ paymentIntent: intent.id, amount: 2_000, status: "pending" }), { created: T(21) }));
      await post(stripeEvent("refund.failed", refund({ paymentIntent: intent.id, amount: 4_000, status: "failed" }), { created: T(22) }));
      expect(await paymentsOf(db, tenantId)).toEqual([]);
      expect(await refundsOf(db, tenantId)).toHaveLength(3);
      await post(stripeEvent("payment_intent.succeeded", intent, { created: T(10) }));

      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ amount_refunded: 1_000, status: "partially_refunded" })]);
    });

    it("does not double-count a refund reported by both charge.refunded and refund.updated", async () => {
      const { tenantId, post } = await setup();
      const intent = paymentIntent({ amount: 10_000 });
      const re = refund({ paymentIntent: intent.id, amount: 3_000, status: "succeeded" });
      await post(stripeEvent("payment_intent.succeeded", intent, { created: T(0) }));

      await post(stripeEvent("charge.refunded", charge({ paymentIntent: intent.id, amount: 10_000, amountRefunded: 3_000, refunds: [re] }), { created: T(10) }));
      await post(stripeEvent("refund.updated", re, { created: T(11) }));

      expect(await refundsOf(db, tenantId)).toHaveLength(1);
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ amount_refunded: 3_000, status: "partially_refunded" })]);
    });
  });

  describe("checkout, subscriptions and invoices", () => {
    it("checkout.session.completed (payment mode) links the payment to metadata.enrollment_id as an enrollment fee", async () => {
      const { tenantId, post } = await setup();
      const enrollmentId = await createEnrollment(db, tenantId);
      const pi = rid("pi");
      const session = checkoutSession({ mode: "payment", paymentIntent: pi, amountTotal: 15_000, enrollmentId });

      const res = await post(stripeEvent("checkout.session.completed", session, { created: T(10) }));

      expect(res.status).toBe(200);
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({
        stripe_payment_intent: pi, stripe_checkout_session: session.id, enrollment_id: enrollmentId, kind: "enrollment_fee",
        amount: 15_000, currency: "usd", status: "succeeded", stripe_customer: "cus_test_123",
      })]);
    });

    it("checkout.session.completed with payment_status 'unpaid' records 'processing' until async_payment_succeeded", async () => {
      const { tenantId, post } = await setup();
      const enrollmentId = await createEnrollment(db, tenantId);
      const session = checkoutSession({ mode: "payment", paymentIntent: rid("pi"), enrollmentId, paymentStatus: "unpaid" });

      await post(stripeEvent("checkout.session.completed", session, { created: T(10) }));
      expect((await paymentsOf(db, tenantId)).map((p) => p.status)).toEqual(["processing"]);
      await post(stripeEvent("checkout.session.async_payment_succeeded", { ...session, payment_status: "paid" }, { created: T(20) }));

      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ status: "succeeded", enrollment_id: enrollmentId })]);
    });

    it("closes the checkout session we opened: completed → 'complete', expired → 'expired' (so it is not reused)", async () => {
      const { tenantId, post } = await setup();
      const enrollmentId = await createEnrollment(db, tenantId);
      const [paid, lapsed] = [rid("cs"), rid("cs")];
      for (const sessionId of [paid, lapsed]) {
        await db.query(
          `insert into checkout_sessions (tenant_id, enrollment_id, kind, stripe_session_id, url, amount, currency, expires_at)
           values ($1, $2, 'enrollment_fee', $3, $4, 15000, 'usd', now() + interval '1 day')`,
          [tenantId, enrollmentId, sessionId, `https://checkout.stripe.com/c/pay/${sessionId}`],
        );
      }
      const sessionStatuses = async () => Object.fromEntries((await db.query<{ stripe_session_id: string; status: string }>(
        "select stripe_session_id, status from checkout_sessions where tenant_id = $1", [tenantId])).map((r) => [r.stripe_session_id, r.status]));

      const completed = checkoutSession({ mode: "payment", paymentIntent: rid("pi"), enrollmentId });
      await post(stripeEvent("checkout.session.completed", { ...completed, id: paid }, { created: T(10) }));
      await post(stripeEvent("checkout.session.expired", { ...checkoutSession({ mode: "payment", enrollmentId }), id: lapsed, status: "expired", payment_intent: null }, { created: T(11) }));

      expect(await sessionStatuses()).toEqual({ [paid]: "complete", [lapsed]: "expired" });
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ stripe_checkout_session: paid, kind: "enrollment_fee", enrollment_id: enrollmentId })]);
      // A late 'expired' for the paid session (events are unordered) does not reopen or relabel it.
      await post(stripeEvent("checkout.session.expired", { ...completed, id: paid, status: "expired" }, { created: T(12) }));
      expect((await sessionStatuses())[paid]).toBe("complete");
    });

    it("never links a payment to an enrollment of another tenant", async () => {
      const a = await setup();
      const b = await setup();
      const foreignEnrollment = await createEnrollment(db, b.tenantId, "Other School Student");
      const pi = rid("pi");

      await a.post(stripeEvent("checkout.session.completed", checkoutSession({ mode: "payment", paymentIntent: pi, enrollmentId: foreignEnrollment }), { created: T(10) }));
      await a.post(stripeEvent("payment_intent.succeeded", paymentIntent({ id: pi, enrollmentId: foreignEnrollment }), { created: T(11) }));

      const payments = await paymentsOf(db, a.tenantId);
      expect(payments).toHaveLength(1);
      expect(payments[0]).toMatchObject({ stripe_payment_intent: pi, enrollment_id: null, kind: "other" });
      expect(await paymentsOf(db, b.tenantId)).toEqual([]);
      expect(await db.query("select 1 from payments where enrollment_id = $1", [foreignEnrollment])).toEqual([]);
    });

    it("subscription checkout + created/updated/deleted keep one subscriptions row; deleted is final", async () => {
      const { tenantId, post } = await setup();
      const enrollmentId = await createEnrollment(db, tenantId);
      const subId = rid("sub");
      const periodEnd = NOW + 30 * 86_400;

      await post(stripeEvent("checkout.session.completed", checkoutSession({ mode: "subscription", subscription: subId, enrollmentId, amountTotal: 50_000 }), { created: T(5) }));
      expect(await subscriptionsOf(db, tenantId)).toEqual([expect.objectContaining({ stripe_subscription_id: subId, enrollment_id: enrollmentId, status: "incomplete" })]);
      expect(await paymentsOf(db, tenantId)).toEqual([]); // subscription mode records no fee payment

      await post(stripeEvent("customer.subscription.created", subscription({ id: subId, status: "incomplete", priceId: "price_test_tuition" }), { created: T(10) }));
      await post(stripeEvent("customer.subscription.updated", subscription({ id: subId, status: "active", priceId: "price_test_tuition", periodEnd }), { created: T(20) }));
      let [row] = await subscriptionsOf(db, tenantId);
      expect(row).toMatchObject({ stripe_subscription_id: subId, enrollment_id: enrollmentId, status: "active", stripe_price_id: "price_test_tuition", stripe_customer: "cus_test_123" });
      expect(row!.current_period_end?.getTime()).toBe(periodEnd * 1000);

      await post(stripeEvent("customer.subscription.deleted", subscription({ id: subId, status: "canceled", priceId: "price_test_tuition", canceledAt: T(30) }), { created: T(30) }));
      [row] = await subscriptionsOf(db, tenantId);
      expect(row).toMatchObject({ status: "canceled" });
      expect(row!.canceled_at?.getTime()).toBe(T(30) * 1000);

      // A late 'updated' (older than the deletion) with status active must not revive it, nor a newer one.
      await post(stripeEvent("customer.subscription.updated", subscription({ id: subId, status: "active", priceId: "price_test_other" }), { created: T(25) }));
      await post(stripeEvent("customer.subscription.updated", subscription({ id: subId, status: "active", priceId: "price_test_other" }), { created: T(40) }));
      const rows = await subscriptionsOf(db, tenantId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: "canceled", stripe_price_id: "price_test_tuition", enrollment_id: enrollmentId });
      expect((await webhookEvents(db, tenantId)).every((e) => e.status === "processed")).toBe(true);
    });

    it("an older subscription update arriving late does not overwrite a newer state", async () => {
      const { tenantId, post } = await setup();
      const subId = rid("sub");

      await post(stripeEvent("customer.subscription.updated", subscription({ id: subId, status: "past_due" }), { created: T(30) }));
      await post(stripeEvent("customer.subscription.updated", subscription({ id: subId, status: "active" }), { created: T(20) }));

      expect((await subscriptionsOf(db, tenantId)).map((s) => s.status)).toEqual(["past_due"]);
    });

    it("subscription checkout completing after the subscription events still links the enrollment without regressing status", async () => {
      const { tenantId, post } = await setup();
      const enrollmentId = await createEnrollment(db, tenantId);
      const subId = rid("sub");

      await post(stripeEvent("customer.subscription.created", subscription({ id: subId, status: "active" }), { created: T(10) }));
      await post(stripeEvent("checkout.session.completed", checkoutSession({ mode: "subscription", subscription: subId, enrollmentId }), { created: T(5) }));

      expect(await subscriptionsOf(db, tenantId)).toEqual([expect.objectContaining({ status: "active", enrollment_id: enrollmentId })]);
    });

    it("invoice.paid (basil: parent.subscription_details.subscription, no payment_intent) → tuition payment linked via the subscription", async () => {
      const { tenantId, post } = await setup();
      const enrollmentId = await createEnrollment(db, tenantId);
      const subId = rid("sub");
      await post(stripeEvent("checkout.session.completed", checkoutSession({ mode: "subscription", subscription: subId, enrollmentId }), { created: T(5) }));
      const invoice = basilInvoice({ subscription: subId, amountPaid: 50_000 });

      const res = await post(stripeEvent("invoice.paid", invoice, { created: T(10) }));

      expect(res.status).toBe(200);
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({
        kind: "tuition", enrollment_id: enrollmentId, stripe_invoice: invoice.id, stripe_payment_intent: null,
        amount: 50_000, currency: "usd", status: "succeeded",
      })]);
      // Redelivered under a new event id (Stripe resends as a new event in some flows): still one payment.
      await post(stripeEvent("invoice.paid", invoice, { created: T(11) }));
      expect(await paymentsOf(db, tenantId)).toHaveLength(1);
    });

    it("invoice.paid (pre-basil: top-level payment_intent and subscription) → tuition payment keyed by the intent", async () => {
      const { tenantId, post } = await setup();
      const enrollmentId = await createEnrollment(db, tenantId);
      const subId = rid("sub");
      const pi = rid("pi");
      await post(stripeEvent("checkout.session.completed", checkoutSession({ mode: "subscription", subscription: subId, enrollmentId }), { created: T(5) }));
      const invoice = legacyInvoice({ subscription: subId, paymentIntent: pi, amountPaid: 45_000 });

      await post({ ...stripeEvent("invoice.paid", invoice, { created: T(10) }), api_version: "2024-06-20" });
      // The invoice's own payment_intent.succeeded (no metadata) merges into the same row.
      await post(stripeEvent("payment_intent.succeeded", paymentIntent({ id: pi, amount: 45_000 }), { created: T(11) }));

      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({
        kind: "tuition", enrollment_id: enrollmentId, stripe_invoice: invoice.id, stripe_payment_intent: pi,
        amount: 45_000, status: "succeeded",
      })]);
    });

    it("invoice.payment_failed records a failed tuition payment that a later invoice.paid overrides", async () => {
      const { tenantId, post } = await setup();
      const subId = rid("sub");
      const invoice = basilInvoice({ subscription: subId, amountPaid: 50_000 });

      await post(stripeEvent("invoice.payment_failed", { ...invoice, amount_paid: 0, status: "open" }, { created: T(10) }));
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ kind: "tuition", status: "failed", amount: 50_000 })]);
      await post(stripeEvent("invoice.paid", invoice, { created: T(20) }));

      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ kind: "tuition", status: "succeeded", amount: 50_000 })]);
    });

    // basil: invoice.paid names no intent and the intent names no invoice; invoice_payment.paid names both.
    const BASIL_TUITION_ORDERS = [
      ["intent", "invoice", "invoice_payment"], ["intent", "invoice_payment", "invoice"],
      ["invoice", "intent", "invoice_payment"], ["invoice", "invoice_payment", "intent"],
      ["invoice_payment", "intent", "invoice"], ["invoice_payment", "invoice", "intent"],
    ] as const;
    it.each(BASIL_TUITION_ORDERS)("basil tuition delivered as %s, %s, %s → exactly one tuition payment with both ids", async (...order) => {
      const { tenantId, post } = await setup();
      const enrollmentId = await createEnrollment(db, tenantId);
      const subId = rid("sub");
      const pi = rid("pi");
      await post(stripeEvent("checkout.session.completed", checkoutSession({ mode: "subscription", subscription: subId, enrollmentId }), { created: T(5) }));
      const invoice = basilInvoice({ subscription: subId, amountPaid: 50_000 });
      const events = {
        intent: stripeEvent("payment_intent.succeeded", paymentIntent({ id: pi, amount: 50_000 }), { created: T(10) }),
        invoice: stripeEvent("invoice.paid", invoice, { created: T(11) }),
        invoice_payment: stripeEvent("invoice_payment.paid", {
          id: rid("inpay"), object: "invoice_payment", amount_paid: 50_000, amount_requested: 50_000, currency: "usd",
          invoice: invoice.id, is_default: true, livemode: false, payment: { type: "payment_intent", payment_intent: pi },
          status: "paid", status_transitions: { paid_at: T(11), canceled_at: null },
        }, { created: T(11) }),
      };
      for (const name of order) expect((await post(events[name])).status).toBe(200);

      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({
        kind: "tuition", enrollment_id: enrollmentId, stripe_invoice: invoice.id, stripe_payment_intent: pi,
        amount: 50_000, status: "succeeded",
      })]);
    });

    it("links a tuition payment to its enrollment when the subscription's checkout completes after the invoice", async () => {
      const { tenantId, post } = await setup();
      const enrollmentId = await createEnrollment(db, tenantId);
      const subId = rid("sub");

      await post(stripeEvent("invoice.paid", basilInvoice({ subscription: subId }), { created: T(10) }));
      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ kind: "tuition", enrollment_id: null })]);
      await post(stripeEvent("checkout.session.completed", checkoutSession({ mode: "subscription", subscription: subId, enrollmentId }), { created: T(5) }));

      expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ kind: "tuition", enrollment_id: enrollmentId })]);
    });
  });
});

describe("stripe-webhook single-tenant route (/api/webhooks/stripe, no tenant id)", () => {
  // A database of its own: the shared one has many tenants with Stripe enabled.
  let db: DbPool;

  beforeAll(async () => {
    db = await openTestDatabase("pglite");
  });
  afterAll(async () => {
    await db?.close();
  });

  it("answers 404 when no tenant has Stripe enabled, then routes to the only tenant that has it", async () => {
    const services = await testServices(db, { now: () => NOW_MS });
    const secret = uniqueSecret();
    const disabledSecret = uniqueSecret();
    const disabledTenant = await createStripeTenant(services, disabledSecret, { enabled: false });
    const event = stripeEvent("payment_intent.succeeded", paymentIntent({ amount: 3_000 }), { created: T(0) });

    expect((await deliver(services, undefined, event, { secret: disabledSecret })).status).toBe(404);

    const tenantId = await createStripeTenant(services, secret);
    const res = await deliver(services, undefined, event, { secret });

    expect(res.status).toBe(200);
    expect(await webhookEvents(db, tenantId)).toEqual([expect.objectContaining({ external_id: event.id, status: "processed" })]);
    expect(await paymentsOf(db, tenantId)).toEqual([expect.objectContaining({ amount: 3_000, status: "succeeded" })]);
    expect(await webhookEvents(db, disabledTenant)).toEqual([]);

    // Still verified with that tenant's secret.
    const forged = await deliver(services, undefined, stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) }), { secret: disabledSecret });
    expect(forged.status).toBe(401);
    expect(await signatureFailures(db, tenantId)).toHaveLength(1);

    // Once a second tenant enables Stripe, the tenant-less route is ambiguous: 404, nothing stored.
    const secondSecret = uniqueSecret();
    const second = await createStripeTenant(services, secondSecret);
    const ambiguous = stripeEvent("payment_intent.succeeded", paymentIntent(), { created: T(0) });
    for (const s of [secret, secondSecret]) {
      expect((await deliver(services, undefined, ambiguous, { secret: s })).status).toBe(404);
    }
    expect(await db.query("select 1 from webhook_events where external_id = $1", [ambiguous.id])).toEqual([]);
    expect(await webhookEvents(db, second)).toEqual([]);
    // The tenant URLs keep working.
    expect((await deliver(services, second, ambiguous, { secret: secondSecret })).status).toBe(200);
  });
});
