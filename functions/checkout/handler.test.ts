import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { DbPool } from "../_shared/db/port.ts";
import { createStripeClient, STRIPE_API_VERSION } from "../_shared/providers/stripe/client.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { createStripeSchool, paidEnrollmentFee, tuitionSubscription } from "../../tests/support/payments.ts";
import { contextFor, testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { createStripeApi } from "../../tests/support/stripe-api.ts";
import { memberToken } from "../../tests/support/families.ts";
import { createEnrollment } from "../../tests/support/tenants.ts";
import { adminToken } from "../../tests/support/tokens.ts";
import { handler } from "./handler.ts";
import { enrollmentFeeSession, tuitionSession } from "./session-params.ts";

type TestServices = Services & { logs: CapturedLogs };

const SETTINGS = { currency: "eur", enrollmentFeeAmount: 15_000, tuitionPriceId: "price_1Tuition" };
const APP_URL = "https://ips.example.test";

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

async function call(services: TestServices, method: string, path: string, options: { token?: string; body?: unknown; params?: Record<string, string> } = {}): Promise<Answer> {
  const headers = new Headers({ "content-type": "application/json" });
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  const init: RequestInit = { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) };
  const res = await handler(new Request(`${APP_URL}${path}`, init), contextFor(services, options.params ?? {}));
  const text = await res.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch {
    // not JSON: assertions on json fail visibly
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The secret key appears in no answer and no log line. */
function expectNoSecret(services: TestServices, secretKey: string, ...answers: Answer[]) {
  for (const answer of answers) expect(answer.text).not.toContain(secretKey);
  expect(services.logs.lines.join("\n")).not.toContain(secretKey);
  expect(services.logs.lines.join("\n")).not.toContain(secretKey.slice(-16));
}

describe.each(ADAPTERS)("checkout on %s", (adapter) => {
  let db: DbPool;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function setup(settings: Record<string, unknown> = SETTINGS, options: { now?: () => number; enabled?: boolean; secretKey?: string | null } = {}) {
    const services = await testServices(db, options.now ? { now: options.now } : {});
    const school = await createStripeSchool(services, settings, options);
    // A parent: a signed-in user of the tenant without the admin role, a member of the enrollment.
    const token = await memberToken(db, school.tenantId, school.enrollmentId);
    const post = (path: string, body: unknown = { enrollmentId: school.enrollmentId }, as = token) => call(services, "POST", path, { token: as, body });
    const due = (enrollmentId = school.enrollmentId, as = token) =>
      call(services, "GET", `/api/checkout/enrollments/${enrollmentId}`, { token: as, params: { enrollmentId } });
    return { services, ...school, token, post, due };
  }

  // The Idempotency-Key header we send: the enrollment, the kind, the sessions opened before and SHA-256 (hex,
  // first 16) of the JSON parameters sent — recomputed here with Node's crypto from the parameters expected.
  const paramsHash = (params: unknown) => createHash("sha256").update(JSON.stringify(params)).digest("hex").slice(0, 16);
  const expectedParams = (tenantId: string, enrollmentId: string, kind: string, amount = 15_000) => {
    const target = { tenantId, enrollmentId, customer: null, appUrl: APP_URL };
    return kind === "tuition" ? tuitionSession(target, "price_1Tuition") : enrollmentFeeSession(target, amount, "eur");
  };
  const sessionKey = (tenantId: string, enrollmentId: string, kind: string, n: number, amount = 15_000) =>
    `checkout:${tenantId}:${enrollmentId}:${kind}:${n}:${paramsHash(expectedParams(tenantId, enrollmentId, kind, amount))}`;

  describe("POST /api/checkout/enrollment-fee", () => {
    it("opens a payment-mode Checkout for the school's fee, linked to the enrollment, and answers its url", async () => {
      const { services, tenantId, enrollmentId, secretKey, post } = await setup();

      const res = await post("/api/checkout/enrollment-fee");

      expect(res.status).toBe(200);
      expect(res.json).toEqual({ url: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/), reused: false });
      const [sent] = stripeApi.callsTo("/v1/checkout/sessions", "POST");
      expect(stripeApi.calls).toHaveLength(1);
      expect(sent!.form).toMatchObject({
        mode: "payment",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "eur",
        "line_items[0][price_data][unit_amount]": "15000",
        "line_items[0][price_data][product_data][name]": "Enrollment fee",
        "metadata[enrollment_id]": enrollmentId,
        "metadata[kind]": "enrollment_fee",
        "metadata[tenant_id]": tenantId,
        "payment_intent_data[metadata][enrollment_id]": enrollmentId,
        "payment_intent_data[metadata][kind]": "enrollment_fee",
        client_reference_id: enrollmentId,
        customer_creation: "always",
        success_url: `${APP_URL}/pay/${enrollmentId}/success?session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${APP_URL}/pay/${enrollmentId}/cancel`,
      });
      expect(sent!.idempotencyKey).toBe(sessionKey(tenantId, enrollmentId, "enrollment_fee", 0));
      expect(sent!.headers.get("authorization")).toBe(`Bearer ${secretKey}`);
      expect(sent!.headers.get("stripe-version")).toBe(STRIPE_API_VERSION);
      const rows = await db.query("select kind, url, status, amount, currency from checkout_sessions where tenant_id = $1", [tenantId]);
      expect(rows).toEqual([{ kind: "enrollment_fee", url: res.json.url, status: "open", amount: 15_000, currency: "eur" }]);
      expectNoSecret(services, secretKey, res);
    });

    it("reuses the open session: a second call answers the same url without calling Stripe", async () => {
      const { post } = await setup();
      const first = await post("/api/checkout/enrollment-fee");
      const callsAfterFirst = stripeApi.calls.length;

      const second = await post("/api/checkout/enrollment-fee");

      expect(second.status).toBe(200);
      expect(second.json).toEqual({ url: first.json.url, reused: true });
      expect(stripeApi.calls).toHaveLength(callsAfterFirst);
    });

    it("serializes two simultaneous clicks (two tabs) on the enrollment: one session for both", async () => {
      const { post } = await setup();

      const [a, b] = await Promise.all([post("/api/checkout/enrollment-fee"), post("/api/checkout/enrollment-fee")]);

      expect([a.status, b.status]).toEqual([200, 200]);
      expect(a.json.url).toBe(b.json.url);
      expect(stripeApi.callsTo("/v1/checkout/sessions", "POST")).toHaveLength(1);
    });

    it("after a crash between Stripe's answer and our insert, the retry gets the same session from Stripe", async () => {
      const { tenantId, enrollmentId, secretKey, post } = await setup();
      // The lost attempt: Stripe created a session for the first key, and we never stored it.
      const lost = await createStripeClient(secretKey, { fetch: globalThis.fetch }).checkout.sessions.create(
        expectedParams(tenantId, enrollmentId, "enrollment_fee"),
        { idempotencyKey: sessionKey(tenantId, enrollmentId, "enrollment_fee", 0) },
      );

      const retry = await post("/api/checkout/enrollment-fee");

      expect(retry.json).toEqual({ url: lost.url, reused: false });
      expect(await db.query("select stripe_session_id from checkout_sessions where tenant_id = $1", [tenantId])).toEqual([{ stripe_session_id: lost.id }]);
    });

    it("a retry after a price change sends a new Idempotency-Key, so Stripe opens a session instead of an idempotency_error", async () => {
      const { services, tenantId, enrollmentId, secretKey, post } = await setup();
      // The lost attempt at the old fee: Stripe made a session for the first key, and we never stored it.
      const stripe = createStripeClient(secretKey, { fetch: globalThis.fetch });
      const lost = await stripe.checkout.sessions.create(
        expectedParams(tenantId, enrollmentId, "enrollment_fee"), { idempotencyKey: sessionKey(tenantId, enrollmentId, "enrollment_fee", 0) });
      await services.db.query(`update integrations set settings = settings || '{"enrollmentFeeAmount": 20000}'::jsonb where tenant_id = $1`, [tenantId]);
      // What a key without the parameters' hash met: Stripe refuses a key reused with other parameters.
      const refused = await stripe.checkout.sessions.create(
        expectedParams(tenantId, enrollmentId, "enrollment_fee", 20_000), { idempotencyKey: sessionKey(tenantId, enrollmentId, "enrollment_fee", 0) },
      ).catch((error: { type?: string }) => error);
      expect(refused).toMatchObject({ type: "StripeIdempotencyError" });
      stripeApi.reset();

      const retry = await post("/api/checkout/enrollment-fee");

      expect(retry.status, retry.text).toBe(200);
      expect(retry.json.url).not.toBe(lost.url);
      const [sent] = stripeApi.callsTo("/v1/checkout/sessions", "POST");
      expect(sent!.headers.get("idempotency-key")).toBe(sessionKey(tenantId, enrollmentId, "enrollment_fee", 0, 20_000));
      expect(sent!.headers.get("idempotency-key")).toMatch(new RegExp(`^checkout:${tenantId}:${enrollmentId}:enrollment_fee:0:[0-9a-f]{16}$`));
      expect(sent!.form["line_items[0][price_data][unit_amount]"]).toBe("20000");
    });

    it("replaces a session that no longer charges the school's fee, expiring it in Stripe first", async () => {
      const { services, tenantId, enrollmentId, post } = await setup();
      const first = await post("/api/checkout/enrollment-fee");
      const [firstRow] = await db.query<{ stripe_session_id: string }>("select stripe_session_id from checkout_sessions where tenant_id = $1", [tenantId]);
      await services.db.query(`update integrations set settings = settings || '{"enrollmentFeeAmount": 20000}'::jsonb where tenant_id = $1`, [tenantId]);
      stripeApi.reset();

      const second = await post("/api/checkout/enrollment-fee");

      expect(second.status).toBe(200);
      expect(second.json.url).not.toBe(first.json.url);
      expect(stripeApi.calls.map((c) => `${c.method} ${c.path} ${c.idempotencyKey}`)).toEqual([
        `POST /v1/checkout/sessions/${firstRow!.stripe_session_id}/expire checkout-expire:${firstRow!.stripe_session_id}`,
        `POST /v1/checkout/sessions ${sessionKey(tenantId, enrollmentId, "enrollment_fee", 1, 20_000)}`,
      ]);
      expect(stripeApi.calls[1]!.form["line_items[0][price_data][unit_amount]"]).toBe("20000");
      expect(await db.query("select amount, status from checkout_sessions where tenant_id = $1 order by created_at", [tenantId]))
        .toEqual([{ amount: 15_000, status: "expired" }, { amount: 20_000, status: "open" }]);
    });

    it("does not hand out a session about to expire: a new one is opened", async () => {
      let now = Date.now();
      const { tenantId, enrollmentId, post } = await setup(SETTINGS, { now: () => now });
      const first = await post("/api/checkout/enrollment-fee");
      now += 24 * 3600_000 - 5 * 60_000; // 5 minutes before Stripe's 24-hour expiry

      const second = await post("/api/checkout/enrollment-fee");

      expect(second.json).toMatchObject({ reused: false });
      expect(second.json.url).not.toBe(first.json.url);
      expect(stripeApi.callsTo("/v1/checkout/sessions", "POST").at(-1)!.idempotencyKey).toBe(sessionKey(tenantId, enrollmentId, "enrollment_fee", 1));
    });

    it("refuses an enrollment whose fee is already paid (409) without calling Stripe", async () => {
      const { services, tenantId, enrollmentId, post } = await setup();
      await paidEnrollmentFee(services, tenantId, enrollmentId);

      const res = await post("/api/checkout/enrollment-fee");

      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({ code: "ERR_ALREADY_PAID", title: "Enrollment fee already paid" });
      expect(stripeApi.calls).toHaveLength(0);
    });

    it("refuses while a payment of the fee is processing (409)", async () => {
      const { services, tenantId, enrollmentId, post } = await setup();
      await paidEnrollmentFee(services, tenantId, enrollmentId, { status: "processing" });

      const res = await post("/api/checkout/enrollment-fee");

      expect(res.status).toBe(409);
      expect(res.json.code).toBe("ERR_PAYMENT_IN_PROGRESS");
      expect(stripeApi.calls).toHaveLength(0);
    });

    it("answers 404 for another tenant's enrollment, and for one that does not exist", async () => {
      const { services, post } = await setup();
      const other = await createStripeSchool(services, SETTINGS);

      const foreign = await post("/api/checkout/enrollment-fee", { enrollmentId: other.enrollmentId });
      const missing = await post("/api/checkout/enrollment-fee", { enrollmentId: crypto.randomUUID() });

      expect(foreign.status).toBe(404);
      expect(foreign.json.code).toBe("ERR_ENROLLMENT_NOT_FOUND");
      expect(missing.status).toBe(404);
      expect(stripeApi.calls).toHaveLength(0);
    });

    it("answers 401 without a token and 400 for a body without an enrollment id", async () => {
      const { services, post } = await setup();

      const anonymous = await call(services, "POST", "/api/checkout/enrollment-fee", { body: { enrollmentId: crypto.randomUUID() } });
      const noId = await post("/api/checkout/enrollment-fee", {});
      const notUuid = await post("/api/checkout/enrollment-fee", { enrollmentId: "1; drop table payments" });
      const extra = await post("/api/checkout/enrollment-fee", { enrollmentId: crypto.randomUUID(), amount: 1 });

      expect(anonymous.status).toBe(401);
      expect(noId.status).toBe(400);
      expect(Object.keys(noId.json.errors)).toEqual(["enrollmentId"]);
      expect(notUuid.status).toBe(400);
      expect(extra.status).toBe(400);
      expect(Object.keys(extra.json.errors)).toEqual(["amount"]);
      expect(stripeApi.calls).toHaveLength(0);
    });

    it("answers 409 when the school has Stripe disabled, no secret key, or no enrollment fee", async () => {
      const disabled = await setup(SETTINGS, { enabled: false });
      const keyless = await setup(SETTINGS, { secretKey: null });
      const feeless = await setup({ currency: "usd" });

      const answers = await Promise.all([disabled, keyless, feeless].map((s) => s.post("/api/checkout/enrollment-fee")));

      expect(answers.map((a) => [a.status, a.json.code])).toEqual([
        [409, "ERR_STRIPE_NOT_ENABLED"], [409, "ERR_STRIPE_NO_SECRET_KEY"], [409, "ERR_ENROLLMENT_FEE_NOT_SET"],
      ]);
      expect(stripeApi.calls).toHaveLength(0);
    });

    it("passes the enrollment's known Stripe customer instead of creating another", async () => {
      const { services, tenantId, enrollmentId, post } = await setup();
      await tuitionSubscription(services, tenantId, enrollmentId, "canceled", "cus_Family1");

      await post("/api/checkout/enrollment-fee");

      const [sent] = stripeApi.callsTo("/v1/checkout/sessions");
      expect(sent!.form.customer).toBe("cus_Family1");
      expect(sent!.form).not.toHaveProperty("customer_creation");
    });
  });

  describe("Stripe errors", () => {
    it("an invalid key (401) is a 502 naming Stripe's code, never the key, in the answer or the logs", async () => {
      const { services, secretKey, post } = await setup();
      stripeApi.fail("post", "/v1/checkout/sessions", 401, {
        type: "invalid_request_error", code: "api_key_invalid", message: `Invalid API Key provided: ${secretKey}`,
      });

      const res = await post("/api/checkout/enrollment-fee");

      expect(res.status).toBe(502);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.json).toMatchObject({ code: "stripe_authentication_error: api_key_invalid", title: "Stripe rejected the school's API key" });
      expect(res.text).not.toMatch(/at .*\.ts:\d+/);
      expectNoSecret(services, secretKey, res);
      expect(services.logs.lines.some((line) => line.includes("stripe_authentication_error"))).toBe(true);
    });

    it("a rate limit (429) is a 503 with Retry-After, and Stripe is not hammered with retries", async () => {
      const { services, tenantId, secretKey, post } = await setup();
      stripeApi.fail("post", "/v1/checkout/sessions", 429, {
        type: "invalid_request_error", code: "rate_limit", message: "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
      });

      const res = await post("/api/checkout/enrollment-fee");

      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(res.json.code).toBe("stripe_rate_limit_error: rate_limit");
      expect(stripeApi.calls).toHaveLength(1);
      expect(await db.query("select 1 from checkout_sessions where tenant_id = $1", [tenantId])).toHaveLength(0);
      expectNoSecret(services, secretKey, res);
    });

    it("Stripe unreachable is a 502 after one retry with the same idempotency key", async () => {
      const { services, secretKey, post } = await setup();
      stripeApi.disconnect("post", "/v1/checkout/sessions");

      const res = await post("/api/checkout/enrollment-fee");

      expect(res.status).toBe(502);
      expect(res.json.code).toBe("stripe_connection_error");
      expect(stripeApi.calls).toHaveLength(2);
      expect(new Set(stripeApi.calls.map((c) => c.idempotencyKey)).size).toBe(1);
      expectNoSecret(services, secretKey, res);
    });
  });

  describe("POST /api/checkout/tuition", () => {
    it("opens a subscription-mode Checkout at the school's tuition price, the enrollment in the subscription's metadata", async () => {
      const { tenantId, enrollmentId, post } = await setup();

      const res = await post("/api/checkout/tuition");

      expect(res.status).toBe(200);
      expect(res.json.url).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
      const [sent] = stripeApi.callsTo("/v1/checkout/sessions", "POST");
      expect(sent!.form).toMatchObject({
        mode: "subscription",
        "line_items[0][price]": "price_1Tuition",
        "line_items[0][quantity]": "1",
        "subscription_data[metadata][enrollment_id]": enrollmentId,
        "subscription_data[metadata][kind]": "tuition",
        "metadata[enrollment_id]": enrollmentId,
        "metadata[kind]": "tuition",
        client_reference_id: enrollmentId,
        success_url: `${APP_URL}/pay/${enrollmentId}/success?session_id={CHECKOUT_SESSION_ID}`,
      });
      expect(sent!.form).not.toHaveProperty("customer_creation");
      expect(sent!.idempotencyKey).toBe(sessionKey(tenantId, enrollmentId, "tuition", 0));
      expect((await post("/api/checkout/tuition")).json).toEqual({ url: res.json.url, reused: true });
    });

    it("answers 409 with a clear message when the school has no tuitionPriceId", async () => {
      const { post } = await setup({ currency: "usd", enrollmentFeeAmount: 10_000 });

      const res = await post("/api/checkout/tuition");

      expect(res.status).toBe(409);
      expect(res.json.code).toBe("ERR_TUITION_PRICE_NOT_SET");
      expect(res.json.detail).toContain("tuitionPriceId");
      expect(stripeApi.calls).toHaveLength(0);
    });

    it.each([400, 404])("answers 409 naming the price when Stripe says it does not exist (resource_missing, HTTP %i)", async (status) => {
      const { services, secretKey, tenantId, post } = await setup({ ...SETTINGS, tuitionPriceId: "price_1Missing" });
      stripeApi.fail("post", "/v1/checkout/sessions", status, {
        type: "invalid_request_error", code: "resource_missing", param: "line_items[0][price]", message: "No such price: 'price_1Missing'",
      });

      const res = await post("/api/checkout/tuition");

      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({ title: "Tuition price not found", code: "stripe_invalid_request_error: resource_missing" });
      expect(res.json.detail).toContain("tuitionPriceId price_1Missing was not found in Stripe");
      expect(await db.query("select 1 from checkout_sessions where tenant_id = $1", [tenantId])).toHaveLength(0);
      expectNoSecret(services, secretKey, res);
    });

    it("refuses an enrollment that already has a live subscription (409)", async () => {
      const { services, tenantId, enrollmentId, post } = await setup();
      await tuitionSubscription(services, tenantId, enrollmentId, "past_due");

      const res = await post("/api/checkout/tuition");

      expect(res.status).toBe(409);
      expect(res.json.code).toBe("ERR_ALREADY_SUBSCRIBED");
      expect(stripeApi.calls).toHaveLength(0);
    });

    it("opens a new subscription after the old one was canceled", async () => {
      const { services, tenantId, enrollmentId, post } = await setup();
      await tuitionSubscription(services, tenantId, enrollmentId, "canceled", "cus_Back1");

      const res = await post("/api/checkout/tuition");

      expect(res.status).toBe(200);
      expect(stripeApi.callsTo("/v1/checkout/sessions")[0]!.form.customer).toBe("cus_Back1");
    });
  });

  describe("POST /api/billing/portal", () => {
    it("opens Stripe's Billing Portal for the enrollment's customer, returning to the student page", async () => {
      const { services, tenantId, enrollmentId, post } = await setup();
      await tuitionSubscription(services, tenantId, enrollmentId, "active", "cus_Portal1");

      const res = await post("/api/billing/portal");

      expect(res.status).toBe(200);
      expect(res.json.url).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\//);
      const [sent] = stripeApi.callsTo("/v1/billing_portal/sessions", "POST");
      expect(sent!.form).toEqual({ customer: "cus_Portal1", return_url: `${APP_URL}/pay/${enrollmentId}` });
      expect(sent!.idempotencyKey).toMatch(new RegExp(`^portal:${tenantId}:${enrollmentId}:cus_Portal1:\\d+$`));
    });

    it("answers 409 when the enrollment has no Stripe customer yet, and 404 for another tenant's", async () => {
      const { services, post } = await setup();
      const other = await createStripeSchool(services, SETTINGS);

      const none = await post("/api/billing/portal");
      const foreign = await post("/api/billing/portal", { enrollmentId: other.enrollmentId });

      expect(none.status).toBe(409);
      expect(none.json.code).toBe("ERR_NO_STRIPE_CUSTOMER");
      expect(foreign.status).toBe(404);
      expect(stripeApi.calls).toHaveLength(0);
    });
  });

  describe("GET /api/checkout/enrollments/{enrollmentId}", () => {
    it("shows what is due, then what is paid", async () => {
      const { services, tenantId, enrollmentId, due } = await setup();
      await db.query("update enrollments set student_name = 'Zoë Student' where id = $1", [enrollmentId]);

      const before = await due();
      await paidEnrollmentFee(services, tenantId, enrollmentId, { amount: 15_000, currency: "eur", customer: "cus_Paid1" });
      await tuitionSubscription(services, tenantId, enrollmentId, "active", "cus_Paid1");
      const after = await due();

      expect(before.status).toBe(200);
      expect(before.json).toEqual({
        enrollment: { id: enrollmentId, studentName: "Zoë Student" },
        enrollmentFee: { status: "due", amount: 15_000, currency: "eur" },
        tuition: { status: "available", subscription: null },
        billingPortal: { available: false },
      });
      expect(after.json).toMatchObject({
        enrollmentFee: { status: "paid", amount: 15_000, currency: "eur" },
        tuition: { status: "subscribed", subscription: { status: "active", cancelAtPeriodEnd: false } },
        billingPortal: { available: true },
      });
      expect(stripeApi.calls).toHaveLength(0);
    });

    it("says what is not offered when the school has not set it up", async () => {
      const { due } = await setup({ currency: "usd" });

      const res = await due();

      expect(res.json).toMatchObject({ enrollmentFee: { status: "not_offered", amount: null }, tuition: { status: "not_offered" } });
    });

    it("answers 404 for another tenant's enrollment, another family's, or a junk id, 401 without a token", async () => {
      const { services, tenantId, due } = await setup();
      const other = await createStripeSchool(services, SETTINGS);
      const sameTenantOther = await createEnrollment(db, tenantId);

      expect((await due(other.enrollmentId)).status).toBe(404);
      expect((await due("not-a-uuid")).status).toBe(404);
      expect((await due(sameTenantOther)).status).toBe(404);
      expect((await due(sameTenantOther, await adminToken(tenantId))).status).toBe(200);
      const anonymous = await call(services, "GET", `/api/checkout/enrollments/${sameTenantOther}`, { params: { enrollmentId: sameTenantOther } });
      expect(anonymous.status).toBe(401);
    });

    it("refuses other methods with 405", async () => {
      const { services, enrollmentId, token } = await setup();

      const res = await call(services, "DELETE", `/api/checkout/enrollments/${enrollmentId}`, { token, params: { enrollmentId } });

      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET");
    });
  });

  it("keeps each tenant's sessions apart: the same enrollment id space, separate rows and keys", async () => {
    const a = await setup();
    const b = await setup();

    const [resA, resB] = await Promise.all([a.post("/api/checkout/enrollment-fee"), b.post("/api/checkout/enrollment-fee")]);

    expect(resA.json.url).not.toBe(resB.json.url);
    const keys = stripeApi.callsTo("/v1/checkout/sessions").map((c) => c.idempotencyKey).sort();
    expect(keys).toEqual([sessionKey(a.tenantId, a.enrollmentId, "enrollment_fee", 0), sessionKey(b.tenantId, b.enrollmentId, "enrollment_fee", 0)].sort());
  });
});
