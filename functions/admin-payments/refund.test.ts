import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { DbPool } from "../_shared/db/port.ts";
import { createStripeClient } from "../_shared/providers/stripe/client.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { createStripeSchool, deliverStripeEvent, paidEnrollmentFee, rand } from "../../tests/support/payments.ts";
import { contextFor, testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { createStripeApi } from "../../tests/support/stripe-api.ts";
import { createTenant } from "../../tests/support/tenants.ts";
import { adminToken, signToken } from "../../tests/support/tokens.ts";
import { handler } from "./handler.ts";

type TestServices = Services & { logs: CapturedLogs };

const stripeApi = createStripeApi();
beforeAll(() => stripeApi.listen());
afterEach(() => stripeApi.reset());
afterAll(() => stripeApi.close());

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, any>;
}

async function post(services: TestServices, paymentId: string, body: unknown, options: { token?: string; idempotencyKey?: string } = {}): Promise<Answer> {
  const headers = new Headers({ "content-type": "application/json" });
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  if (options.idempotencyKey) headers.set("idempotency-key", options.idempotencyKey);
  const req = new Request(`https://ips.example.test/api/admin/payments/${paymentId}/refund`, { method: "POST", headers, body: JSON.stringify(body) });
  const res = await handler(req, contextFor(services, { id: paymentId }));
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

const refundCalls = () => stripeApi.callsTo("/v1/refunds", "POST");

describe.each(ADAPTERS)("admin-payments refunds on %s", (adapter) => {
  let db: DbPool;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  /** A school with one succeeded enrollment-fee payment of 15,000 (made through the webhook). */
  async function setup() {
    const services = await testServices(db);
    const school = await createStripeSchool(services, { currency: "usd", enrollmentFeeAmount: 15_000 });
    const paymentIntent = await paidEnrollmentFee(services, school.tenantId, school.enrollmentId, { amount: 15_000 });
    const [payment] = await db.query<{ id: string }>("select id from payments where tenant_id = $1", [school.tenantId]);
    const adminUserId = crypto.randomUUID();
    const token = await signToken({ sub: adminUserId, tenantId: school.tenantId, role: "admin" });
    const refund = (body: unknown, options: { idempotencyKey?: string; token?: string } = {}) =>
      post(services, payment!.id, body, { token, ...options });
    return { services, ...school, paymentIntent, paymentId: payment!.id, adminUserId, token, refund };
  }

  it("refunds in full through Stripe, records the refund as pending and audits it", async () => {
    const { services, tenantId, paymentId, paymentIntent, adminUserId, secretKey, refund } = await setup();

    const res = await refund({ reason: "requested_by_customer" });

    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      refund: {
        id: expect.stringMatching(/^re_/), paymentId, amount: 15_000, currency: "usd", status: "pending",
        reason: "requested_by_customer", createdAt: expect.any(String),
      },
      payment: { id: paymentId, status: "succeeded", currency: "usd", amount: 15_000, amountRefunded: 0, amountRefundPending: 15_000 },
      replayed: false,
    });
    const [sent] = refundCalls();
    expect(refundCalls()).toHaveLength(1);
    expect(sent!.form).toEqual({
      payment_intent: paymentIntent, amount: "15000", reason: "requested_by_customer",
      "metadata[payment_id]": paymentId, "metadata[tenant_id]": tenantId, "metadata[requested_by]": adminUserId,
    });
    expect(sent!.idempotencyKey).toBe(`refund:${paymentId}:15000:0`);
    expect(await db.query("select stripe_refund_id, amount, status, reason from refunds where tenant_id = $1", [tenantId]))
      .toEqual([{ stripe_refund_id: res.json.refund.id, amount: 15_000, status: "pending", reason: "requested_by_customer" }]);
    // The payment itself changes only when Stripe confirms (the webhook).
    expect(await db.query("select status, amount_refunded from payments where id = $1", [paymentId])).toEqual([{ status: "succeeded", amount_refunded: 0 }]);
    const audit = await db.query<{ actor: string; action: string; target: string; details: Record<string, unknown> }>(
      "select actor, action, target, details from audit_log where tenant_id = $1", [tenantId]);
    expect(audit).toEqual([{
      actor: adminUserId, action: "payment.refund_requested", target: paymentId,
      details: { amount: 15_000, currency: "usd", reason: "requested_by_customer", stripeRefundId: res.json.refund.id, status: "pending" },
    }]);
    expect(JSON.stringify(audit) + res.text + services.logs.lines.join("\n")).not.toContain(secretKey);
  });

  it("a double click (the same request again, no Idempotency-Key) makes one Stripe refund", async () => {
    const { tenantId, refund } = await setup();

    const first = await refund({ amount: 5_000 });
    const second = await refund({ amount: 5_000 });

    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.json.replayed).toBe(true);
    expect(second.json.refund.id).toBe(first.json.refund.id);
    expect(refundCalls()).toHaveLength(1);
    expect(await db.query("select amount from refunds where tenant_id = $1", [tenantId])).toEqual([{ amount: 5_000 }]);
  });

  it("two simultaneous identical requests make one Stripe refund", async () => {
    const { refund } = await setup();

    const answers = await Promise.all([refund({ amount: 4_000 }), refund({ amount: 4_000 })]);

    expect(answers.map((a) => a.status).sort()).toEqual([200, 201]);
    expect(answers[0]!.json.refund.id).toBe(answers[1]!.json.refund.id);
    expect(refundCalls()).toHaveLength(1);
  });

  it("a retry with the same Idempotency-Key makes one refund, even once nothing is left to refund", async () => {
    const { paymentId, refund } = await setup();

    const first = await refund({}, { idempotencyKey: "click-7f3a" });
    const retry = await refund({}, { idempotencyKey: "click-7f3a" });
    const sameKeyOtherAmount = await refund({ amount: 100 }, { idempotencyKey: "click-7f3a" });

    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.json).toMatchObject({ replayed: true, refund: { id: first.json.refund.id, amount: 15_000 } });
    expect(sameKeyOtherAmount.status).toBe(409);
    expect(sameKeyOtherAmount.json.code).toBe("ERR_IDEMPOTENCY_KEY_REUSED");
    expect(refundCalls()).toHaveLength(1);
    expect(refundCalls()[0]!.idempotencyKey).toBe(`refund:${paymentId}:key:click-7f3a`);
  });

  it("a deliberate second partial refund is a new refund, with its own key", async () => {
    const { paymentId, refund } = await setup();

    const first = await refund({ amount: 5_000 });
    const second = await refund({ amount: 3_000 });

    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.json.refund.id).not.toBe(first.json.refund.id);
    expect(second.json.payment).toMatchObject({ amountRefunded: 0, amountRefundPending: 8_000 });
    expect(refundCalls().map((c) => c.idempotencyKey)).toEqual([`refund:${paymentId}:5000:0`, `refund:${paymentId}:3000:5000`]);
  });

  it("after a crash between Stripe's answer and our records, the retry reuses Stripe's refund", async () => {
    const { tenantId, paymentId, paymentIntent, adminUserId, secretKey, refund } = await setup();
    // The lost attempt: Stripe refunded under the derived key, and we recorded nothing. Same parameters as the
    // retry sends: Stripe answers a key reused with other parameters with an idempotency_error.
    const lost = await createStripeClient(secretKey, { fetch: globalThis.fetch }).refunds.create(
      { payment_intent: paymentIntent, amount: 15_000, metadata: { payment_id: paymentId, tenant_id: tenantId, requested_by: adminUserId } },
      { idempotencyKey: `refund:${paymentId}:15000:0` },
    );

    const retry = await refund({});

    expect(retry.status).toBe(201);
    expect(retry.json.refund.id).toBe(lost.id);
    expect(await db.query("select stripe_refund_id from refunds where tenant_id = $1", [tenantId])).toEqual([{ stripe_refund_id: lost.id }]);
  });

  it("refuses more than is left (400): what is refunded and what is pending both count", async () => {
    const { services, tenantId, paymentIntent, refund } = await setup();
    const first = await refund({ amount: 6_000 });
    // Stripe confirms the first refund through the webhook.
    await deliverStripeEvent(services, tenantId, "refund.updated", {
      id: first.json.refund.id, object: "refund", amount: 6_000, currency: "usd", payment_intent: paymentIntent, status: "succeeded", reason: null,
    });
    await refund({ amount: 5_000 });

    const over = await refund({ amount: 4_001 });

    expect(over.status).toBe(400);
    expect(over.json).toMatchObject({ code: "ERR_REFUND_TOO_LARGE", errors: { amount: ["at most 4000 (minor units) is left to refund"] } });
    expect(refundCalls()).toHaveLength(2);
    const rest = await refund({});
    expect(rest.status).toBe(201);
    expect(rest.json.refund.amount).toBe(4_000);
    expect(rest.json.payment).toMatchObject({ status: "partially_refunded", amountRefunded: 6_000, amountRefundPending: 9_000 });
    const nothing = await refund({ amount: 1 });
    expect(nothing.status).toBe(409);
    expect(nothing.json.code).toBe("ERR_NOTHING_TO_REFUND");
  });

  it("two simultaneous partial refunds that together exceed the payment: one is refused", async () => {
    const { refund } = await setup();

    const answers = await Promise.all([refund({ amount: 9_000 }), refund({ amount: 8_000 })]);

    expect(answers.map((a) => a.status).sort()).toEqual([201, 400]);
    expect(refundCalls()).toHaveLength(1);
  });

  it("a refund Stripe reports as succeeded at once counts at once", async () => {
    const { paymentId, refund } = await setup();
    stripeApi.setRefund({ status: "succeeded" });

    const res = await refund({ amount: 15_000 });

    expect(res.json.refund.status).toBe("succeeded");
    expect(res.json.payment).toMatchObject({ status: "refunded", amountRefunded: 15_000, amountRefundPending: 0 });
    expect(await db.query("select status, amount_refunded from payments where id = $1", [paymentId])).toEqual([{ status: "refunded", amount_refunded: 15_000 }]);
  });

  it("refuses payments that cannot be refunded (409): failed, or without a PaymentIntent", async () => {
    const { services, tenantId, enrollmentId, token } = await setup();
    await paidEnrollmentFee(services, tenantId, enrollmentId, { status: "payment_failed" });
    const [failed] = await db.query<{ id: string }>("select id from payments where tenant_id = $1 and status = 'failed'", [tenantId]);
    const [invoiceOnly] = await db.query<{ id: string }>(
      `insert into payments (tenant_id, kind, stripe_invoice, amount, currency, status, status_rank, source_event_created)
       values ($1, 'tuition', $2, 9000, 'usd', 'succeeded', 2, now()) returning id`, [tenantId, `in_${rand(14)}`]);

    const notSucceeded = await post(services, failed!.id, {}, { token });
    const noIntent = await post(services, invoiceOnly!.id, {}, { token });

    expect([notSucceeded.status, notSucceeded.json.code]).toEqual([409, "ERR_NOT_REFUNDABLE"]);
    expect([noIntent.status, noIntent.json.code]).toEqual([409, "ERR_NO_PAYMENT_INTENT"]);
    expect(refundCalls()).toHaveLength(0);
  });

  it("answers 400 for an invalid body or Idempotency-Key", async () => {
    const { refund } = await setup();

    const answers = await Promise.all([
      refund({ amount: 0 }), refund({ amount: 12.5 }), refund({ amount: "100" }), refund({ reason: "because" }),
      refund({ note: "x" }), refund({}, { idempotencyKey: "has space" }),
    ]);

    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 400, 400]);
    expect(answers.map((a) => Object.keys(a.json.errors))).toEqual([["amount"], ["amount"], ["amount"], ["reason"], ["note"], ["Idempotency-Key"]]);
    expect(refundCalls()).toHaveLength(0);
  });

  it("auth: 401 without a token, 403 for a member, 404 for another tenant's admin or a junk id", async () => {
    const { services, paymentId, tenantId, refund } = await setup();
    const otherAdmin = await adminToken(await createTenant(db));

    expect((await post(services, paymentId, {})).status).toBe(401);
    const member = await refund({}, { token: await signToken({ tenantId }) });
    expect([member.status, member.json.code]).toEqual([403, "ERR_AUTH_FORBIDDEN"]);
    const foreign = await refund({}, { token: otherAdmin });
    expect([foreign.status, foreign.json.code]).toEqual([404, "ERR_PAYMENT_NOT_FOUND"]);
    expect((await post(services, "not-a-uuid", {}, { token: otherAdmin })).status).toBe(404);
    expect(refundCalls()).toHaveLength(0);
    expect(await db.query("select 1 from audit_log where tenant_id = $1", [tenantId])).toHaveLength(0);
  });

  it("Stripe errors: an invalid key is a 502, a rate limit a 503 with Retry-After; nothing recorded, no key shown", async () => {
    const { services, tenantId, secretKey, refund } = await setup();
    stripeApi.fail("post", "/v1/refunds", 401, { type: "invalid_request_error", code: "api_key_invalid", message: `Invalid API Key provided: ${secretKey}` });
    const unauthorized = await refund({});
    stripeApi.reset();
    stripeApi.fail("post", "/v1/refunds", 429, { type: "invalid_request_error", code: "rate_limit", message: "Request rate limit exceeded." }, { "retry-after": "7" });
    const limited = await refund({});

    expect([unauthorized.status, unauthorized.json.code]).toEqual([502, "stripe_authentication_error: api_key_invalid"]);
    expect([limited.status, limited.json.code, limited.headers.get("retry-after")]).toEqual([503, "stripe_rate_limit_error: rate_limit", "7"]);
    expect(refundCalls()).toHaveLength(1);
    expect(await db.query("select 1 from refunds where tenant_id = $1 union all select 1 from audit_log where tenant_id = $1", [tenantId])).toHaveLength(0);
    expect(unauthorized.text + limited.text + services.logs.lines.join("\n")).not.toContain(secretKey);
  });

  it("Stripe refusing the refund (already refunded in the Dashboard) is a 409 naming Stripe's code", async () => {
    const { refund } = await setup();
    stripeApi.fail("post", "/v1/refunds", 400, {
      type: "invalid_request_error", code: "charge_already_refunded", message: "Charge ch_3Abc has already been refunded.",
    });

    const res = await refund({});

    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ code: "stripe_invalid_request_error: charge_already_refunded", detail: "Charge ch_3Abc has already been refunded." });
  });

  it("answers 405 for other methods on the refund route", async () => {
    const { services, paymentId, token } = await setup();
    const req = new Request(`https://ips.example.test/api/admin/payments/${paymentId}/refund`, { method: "GET", headers: { authorization: `Bearer ${token}` } });

    const res = await handler(req, contextFor(services, { id: paymentId }));

    expect(res.status).toBe(405);
  });
});
