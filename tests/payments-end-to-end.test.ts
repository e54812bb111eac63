// A student pays the enrollment fee and an admin refunds part of it, over real HTTP, with Stripe's API
// answered by msw and Stripe's events delivered signed to the webhook: the metadata our Checkout sends is
// what links the webhook's payment to the enrollment, and the refund we record is what the webhook confirms.
import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbPool } from "../functions/_shared/db/port.ts";
import { FUNCTIONS } from "../functions/manifest.ts";
import { createApp } from "../functions/runtimes/node/app.ts";
import { ADAPTERS, openTestDatabase } from "./support/database.ts";
import { memberToken } from "./support/families.ts";
import { createStripeSchool, rand } from "./support/payments.ts";
import { testServices } from "./support/services.ts";
import { createStripeApi, formObject } from "./support/stripe-api.ts";
import { stripeEvent, stripeSignature } from "./support/stripe.ts";
import { adminToken } from "./support/tokens.ts";

const stripeApi = createStripeApi();
beforeAll(() => stripeApi.listen());
afterEach(() => stripeApi.reset());
afterAll(() => stripeApi.close());

describe.each(ADAPTERS)("payments end to end over HTTP on %s", (adapter) => {
  let db: DbPool;
  let server: ServerType;
  let baseUrl: string;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
    const services = await testServices(db);
    server = serve({ fetch: (await createApp(services, FUNCTIONS)).fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await db.close();
  });

  it("checkout → webhook → paid → partial refund → webhook → partially refunded, in the list and the CSV", async () => {
    const services = await testServices(db);
    const { tenantId, enrollmentId, secretKey } = await createStripeSchool(services, { currency: "eur", enrollmentFeeAmount: 15_000 });
    const student = { authorization: `Bearer ${await memberToken(db, tenantId, enrollmentId, "student")}`, "content-type": "application/json" };
    const admin = { authorization: `Bearer ${await adminToken(tenantId)}`, "content-type": "application/json" };
    const deliver = async (type: string, object: Record<string, unknown>) => {
      const body = JSON.stringify(stripeEvent(type, object));
      const res = await fetch(`${baseUrl}/api/webhooks/stripe/${tenantId}`, { method: "POST", headers: { "stripe-signature": stripeSignature(body) }, body });
      expect(res.status).toBe(200);
    };
    const payments = async () => (await (await fetch(`${baseUrl}/api/admin/payments`, { headers: admin })).json()).payments;

    // The student starts Checkout; Stripe reports the session completed and the intent succeeded.
    const started = await fetch(`${baseUrl}/api/checkout/enrollment-fee`, { method: "POST", headers: student, body: JSON.stringify({ enrollmentId }) });
    expect(started.status).toBe(200);
    const [created] = stripeApi.callsTo("/v1/checkout/sessions", "POST");
    const session = stripeApi.session((await db.query<{ stripe_session_id: string }>("select stripe_session_id from checkout_sessions where tenant_id = $1", [tenantId]))[0]!.stripe_session_id)!;
    const paymentIntent = `pi_3${rand(30)}`;
    await deliver("checkout.session.completed", {
      ...session, status: "complete", payment_status: "paid", payment_intent: paymentIntent, customer: "cus_E2E1",
    });
    await deliver("payment_intent.succeeded", {
      id: paymentIntent, object: "payment_intent", amount: 15_000, currency: "eur", status: "succeeded", customer: "cus_E2E1",
      metadata: formObject(created!.form, "payment_intent_data[metadata]"),
    });

    const due = await (await fetch(`${baseUrl}/api/checkout/enrollments/${enrollmentId}`, { headers: student })).json();
    expect(due).toMatchObject({ enrollmentFee: { status: "paid", amount: 15_000, currency: "eur" }, billingPortal: { available: true } });
    expect((await fetch(`${baseUrl}/api/checkout/enrollment-fee`, { method: "POST", headers: student, body: JSON.stringify({ enrollmentId }) })).status).toBe(409);
    const [payment] = await payments();
    expect(payment).toMatchObject({ enrollmentId, kind: "enrollment_fee", status: "succeeded", amount: 15_000, stripeCheckoutSession: session.id, stripeCustomer: "cus_E2E1" });

    // The admin refunds 5,000; it is pending until Stripe's refund event confirms it.
    stripeApi.setRefund({ currency: "eur" });
    const refunded = await fetch(`${baseUrl}/api/admin/payments/${payment.id}/refund`, {
      method: "POST", headers: { ...admin, "idempotency-key": "e2e-refund-1" }, body: JSON.stringify({ amount: 5_000, reason: "requested_by_customer" }),
    });
    expect(refunded.status).toBe(201);
    const { refund } = await refunded.json();
    expect((await payments())[0]).toMatchObject({ status: "succeeded", amountRefunded: 0, amountRefundPending: 5_000 });

    await deliver("refund.updated", { id: refund.id, object: "refund", amount: 5_000, currency: "eur", payment_intent: paymentIntent, status: "succeeded", reason: "requested_by_customer" });

    expect((await payments())[0]).toMatchObject({ status: "partially_refunded", amountRefunded: 5_000, amountRefundPending: 0 });
    const csv = await (await fetch(`${baseUrl}/api/admin/payments?format=csv`, { headers: admin })).text();
    expect(csv.split("\r\n")[1]).toBe(`${payment.id},${payment.createdAt},${enrollmentId},Ada Student,enrollment_fee,partially_refunded,eur,15000,5000,0,${paymentIntent},,cus_E2E1,,`);
    const everything = JSON.stringify(await db.query("select * from audit_log where tenant_id = $1", [tenantId])) + csv;
    expect(everything).not.toContain(secretKey);
  });
});
