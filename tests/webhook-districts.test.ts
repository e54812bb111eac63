// Districts: several schools share one provider account, so each school's webhook receives every event of
// that account. An event whose own tenant marker (Stripe `metadata.tenant_id`, DocuSign's `tenantId`
// custom field, SendGrid's `ips_tenant_id`) names another school is stored and acknowledged by the school
// it reached, never applied there: no row, no email, nothing in its lists (DESIGN.md "Webhook semantics" 5).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, DbPool } from "../functions/_shared/db/port.ts";
import { handler as docusignWebhook } from "../functions/docusign-webhook/handler.ts";
import { handler as sendgridWebhook } from "../functions/sendgrid-webhook/handler.ts";
import { handler as stripeWebhook } from "../functions/stripe-webhook/handler.ts";
import { ADAPTERS, openTestDatabase } from "./support/database.ts";
import { callHandler } from "./support/delivery.ts";
import { connectEvent, connectHmacKey, signedConnectRequest } from "./support/docusign.ts";
import { sendgridEvent, sendgridSigningKey, signedSendGridRequest } from "./support/sendgrid.ts";
import { testServices } from "./support/services.ts";
import { signedStripeRequest, stripeEvent } from "./support/stripe.ts";
import { configureIntegration, createEnrollment, createStripeTenant, createTenant } from "./support/tenants.ts";

const rid = (prefix: string) => `${prefix}_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;

const storedEvents = (db: Db, tenantId: string) => db.query<{ event_type: string; status: string }>(
  "select event_type, status from webhook_events where tenant_id = $1 order by created_at, external_id", [tenantId]);
const count = async (db: Db, table: string, tenantId: string) =>
  (await db.query<{ n: number }>(`select count(*)::int as n from ${table} where tenant_id = $1`, [tenantId]))[0]!.n;

/** A paid Checkout Session as our checkout opens it: the school in metadata (functions/checkout/session-params.ts). */
function paidSession(tenantId: string, enrollmentId: string) {
  return {
    id: rid("cs"), object: "checkout.session", mode: "payment", status: "complete", payment_status: "paid",
    amount_total: 15_000, currency: "usd", customer: "cus_test_district", payment_intent: rid("pi"), subscription: null,
    client_reference_id: enrollmentId, customer_details: { email: "payer@family.example", name: "Pat Payer" },
    metadata: { enrollment_id: enrollmentId, kind: "enrollment_fee", tenant_id: tenantId }, livemode: false,
  };
}

describe.each(ADAPTERS)("webhooks of a district (schools sharing one provider account) on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(() => db?.close());

  describe("stripe", () => {
    async function district() {
      const services = await testServices(db);
      const secret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
      const schoolA = await createStripeTenant(services, secret);
      const schoolB = await createStripeTenant(services, secret);
      const post = (tenantId: string, event: object) =>
        callHandler(stripeWebhook, services, { tenantId }, signedStripeRequest(tenantId, JSON.stringify(event), { secret }));
      return { schoolA, schoolB, post };
    }

    it("school A stores B's checkout.session.completed and acknowledges it; only B applies it", async () => {
      const { schoolA, schoolB, post } = await district();
      const enrollmentB = await createEnrollment(db, schoolB);
      const event = stripeEvent("checkout.session.completed", paidSession(schoolB, enrollmentB));

      const atA = await post(schoolA, event);
      expect(atA.status).toBe(200);
      expect(atA.json).toEqual({ received: 1, duplicates: 0, failed: 0 });
      expect(await storedEvents(db, schoolA)).toEqual([{ event_type: "checkout.session.completed", status: "processed" }]);
      expect(await count(db, "payments", schoolA)).toBe(0);
      expect(await count(db, "email_messages", schoolA)).toBe(0);

      // The same event at B's own endpoint is B's payment and B's confirmation email.
      expect((await post(schoolB, event)).status).toBe(200);
      expect(await count(db, "payments", schoolB)).toBe(1);
      expect(await count(db, "email_messages", schoolB)).toBe(1);
    });

    it("reads the marker wherever our objects carry it: intent, subscription, invoice (both shapes), refund", async () => {
      const { schoolA, schoolB, post } = await district();
      const marked = { tenant_id: schoolB.toUpperCase() };
      const events = [
        stripeEvent("payment_intent.succeeded", { id: rid("pi"), object: "payment_intent", amount: 9_000, currency: "usd", status: "succeeded", receipt_email: "payer@family.example", metadata: marked }),
        stripeEvent("customer.subscription.created", { id: rid("sub"), object: "subscription", customer: "cus_b", status: "active", metadata: marked, items: { data: [] } }),
        stripeEvent("invoice.paid", { id: rid("in"), object: "invoice", amount_paid: 50_000, currency: "usd", customer: "cus_b", metadata: {}, parent: { subscription_details: { subscription: rid("sub"), metadata: marked } } }),
        stripeEvent("invoice.paid", { id: rid("in"), object: "invoice", amount_paid: 50_000, currency: "usd", customer: "cus_b", payment_intent: rid("pi"), subscription_details: { metadata: marked } }),
        stripeEvent("refund.updated", { id: rid("re"), object: "refund", amount: 1_000, currency: "usd", status: "succeeded", payment_intent: rid("pi"), metadata: marked }),
      ];
      for (const event of events) expect((await post(schoolA, event)).status).toBe(200);

      expect((await storedEvents(db, schoolA)).map((e) => e.status)).toEqual(events.map(() => "processed"));
      for (const table of ["payments", "subscriptions", "refunds", "email_messages"]) expect(await count(db, table, schoolA)).toBe(0);
    });

    it("applies an event marked as this school, or not marked at all, as before", async () => {
      const { schoolA, post } = await district();
      const enrollmentA = await createEnrollment(db, schoolA);
      await post(schoolA, stripeEvent("checkout.session.completed", paidSession(schoolA, enrollmentA)));
      const unmarked = { id: rid("pi"), object: "payment_intent", amount: 9_000, currency: "usd", status: "succeeded", metadata: {} };
      await post(schoolA, stripeEvent("payment_intent.succeeded", unmarked));
      expect(await count(db, "payments", schoolA)).toBe(2);
    });
  });

  describe("docusign", () => {
    it("school A stores B's envelope-completed and acknowledges it, changing and sending nothing", async () => {
      const services = await testServices(db);
      const key = connectHmacKey();
      const [schoolA, schoolB] = [await createTenant(db), await createTenant(db)];
      for (const tenantId of [schoolA, schoolB]) {
        await configureIntegration(services, tenantId, "docusign", {
          integrationKey: crypto.randomUUID(), userId: crypto.randomUUID(), hmacKeys: [key],
          rsaPrivateKey: "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
        }, { settings: { environment: "demo" } });
      }
      // Even an enrollment of A with the same envelope id is left alone: the envelope says it is B's.
      const envelopeId = crypto.randomUUID();
      const [{ id: enrollmentA }] = await db.query<{ id: string }>(
        `insert into enrollments (tenant_id, student_name, signer_name, signer_email, signature_status, signature_envelope_id)
         values ($1, 'Ada Student', 'Grace Parent', 'grace@family.example', 'sent', $2) returning id`, [schoolA, envelopeId]) as [{ id: string }];
      const completed = (tenantId: string, generatedDateTime: string) => connectEvent("envelope-completed", {
        envelopeId, generatedDateTime,
        envelopeSummary: { status: "completed", customFields: { textCustomFields: [
          { name: "enrollmentId", value: crypto.randomUUID(), show: "false", required: "false" },
          { name: "tenantId", value: tenantId, show: "false", required: "false" },
        ] } },
      });
      const post = (event: object) => {
        const body = JSON.stringify(event);
        return callHandler(docusignWebhook, services, { tenantId: schoolA }, signedConnectRequest(schoolA, body, { keys: [key] }));
      };

      const res = await post(completed(schoolB, "2026-12-01T10:00:00.0000000Z"));
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ received: 1, duplicates: 0, failed: 0 });
      expect(await storedEvents(db, schoolA)).toEqual([{ event_type: "envelope-completed", status: "processed" }]);
      const status = async () => (await db.query<{ signature_status: string }>("select signature_status from enrollments where id = $1", [enrollmentA]))[0]!.signature_status;
      expect(await status()).toBe("sent");
      expect(await count(db, "email_messages", schoolA)).toBe(0);

      // Marked as A: applied as always.
      expect((await post(completed(schoolA, "2026-12-01T10:00:01.0000000Z"))).status).toBe(200);
      expect(await status()).toBe("completed");
      expect(await count(db, "email_messages", schoolA)).toBe(1);
    });
  });

  describe("sendgrid", () => {
    it("school A stores B's bounce and acknowledges it: no email event, no message touched", async () => {
      const services = await testServices(db);
      const key = sendgridSigningKey();
      const [schoolA, schoolB] = [await createTenant(db), await createTenant(db)];
      for (const tenantId of [schoolA, schoolB]) {
        await configureIntegration(services, tenantId, "sendgrid", { apiKey: "SG.test", eventWebhookPublicKey: key.publicKey });
      }
      const now = Math.floor(Date.now() / 1000);
      const body = `${JSON.stringify([
        sendgridEvent("bounce", { customArgs: { ips_message_id: crypto.randomUUID(), ips_tenant_id: schoolB } }),
        sendgridEvent("delivered", { customArgs: { ips_message_id: crypto.randomUUID(), ips_tenant_id: schoolA } }),
      ])}\r\n`;
      const res = await callHandler(sendgridWebhook, services, { tenantId: schoolA },
        signedSendGridRequest(schoolA, body, { privateKey: key.privateKey, timestamp: now }));

      expect(res.status).toBe(200);
      expect(res.json).toEqual({ received: 2, duplicates: 0, failed: 0 });
      expect(await storedEvents(db, schoolA)).toEqual(expect.arrayContaining([
        { event_type: "bounce", status: "processed" }, { event_type: "delivered", status: "processed" },
      ]));
      expect((await db.query<{ event: string }>("select event from email_events where tenant_id = $1", [schoolA])).map((e) => e.event)).toEqual(["delivered"]);
    });
  });
});
