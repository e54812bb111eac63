import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callHandler } from "../../tests/support/admin-request.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { testServices } from "../../tests/support/services.ts";
import { configureIntegration, createEnrollment, createTenant } from "../../tests/support/tenants.ts";
import { signToken } from "../../tests/support/tokens.ts";
import { deliverStripeEvent, paidEnrollmentFee } from "../../tests/support/payments.ts";
import { dispute, WEBHOOK_SECRET } from "../../tests/support/stripe.ts";
import type { Db, DbPool } from "../_shared/db/port.ts";
import { handler } from "./handler.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Noon UTC, so "hours ago" within the morning stays on the same UTC day.
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const ago = (ms: number) => new Date(NOW - ms);

async function event(db: Db, tenantId: string, source: string, status: string, createdAt: Date) {
  await db.query(
    `insert into webhook_events (tenant_id, source, event_type, external_id, payload, status, created_at)
     values ($1, $2, 'test.event', $3, '{}'::jsonb, $4, $5)`,
    [tenantId, source, `ext_${crypto.randomUUID()}`, status, createdAt]);
}

async function signatureFailure(db: Db, tenantId: string, source: string, createdAt: Date) {
  await db.query("insert into webhook_signature_failures (tenant_id, source, reason, created_at) values ($1, $2, 'ERR_WEBHOOK_SIGNATURE', $3)", [tenantId, source, createdAt]);
}

async function payment(db: Db, tenantId: string, fields: { amount: number; currency: string; status: string; createdAt: Date }) {
  await db.query(
    `insert into payments (tenant_id, stripe_payment_intent, amount, currency, status, status_rank, source_event_created, created_at)
     values ($1, $2, $3, $4, $5, 1, $6, $6)`,
    [tenantId, `pi_${crypto.randomUUID()}`, fields.amount, fields.currency, fields.status, fields.createdAt]);
}

async function email(db: Db, tenantId: string, status: string, createdAt: Date) {
  await db.query(
    `insert into email_messages (tenant_id, kind, to_email, dedupe_key, status, created_at) values ($1, 'welcome', 'a@school.example', $2, $3, $4)`,
    [tenantId, crypto.randomUUID(), status, createdAt]);
}

describe.each(ADAPTERS)("admin-health on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function setup() {
    const services = await testServices(db, { now: () => NOW });
    const tenantId = await createTenant(db);
    const token = await signToken({ tenantId, role: "admin" });
    const get = (path: string, t = token) => callHandler(handler, services, { method: "GET", path, token: t });
    return { services, tenantId, token, get };
  }

  describe("GET /api/admin/health", () => {
    it("counts suppressions and suppressed messages, and shows bounced contract and payment emails (not others, not old ones)", async () => {
      const { tenantId, get } = await setup();
      const other = await createTenant(db);
      for (const [t, address, scope] of [[tenantId, "a@x.example", "all"], [tenantId, "b@x.example", "marketing"], [tenantId, "c@x.example", "all"], [other, "d@x.example", "all"]] as const) {
        await db.query("insert into email_suppressions (tenant_id, email, reason, scope) values ($1, $2, 'bounce', $3)", [t, address, scope]);
      }
      await email(db, tenantId, "suppressed", ago(2 * HOUR));
      await email(db, tenantId, "suppressed", ago(3 * DAY));
      await email(db, tenantId, "suppressed", ago(9 * DAY));
      const bounced = async (kind: string, deliveryStatus: string, at: Date, t = tenantId) => (await db.query<{ id: string }>(
        `insert into email_messages (tenant_id, kind, to_email, dedupe_key, status, delivery_status, delivery_status_rank, delivery_updated_at, created_at)
         values ($1, $2, 'family@x.example', $3, 'sent', $4, 9, $5, $5) returning id`,
        [t, kind, crypto.randomUUID(), deliveryStatus, at]))[0]!.id;
      const contract = await bounced("contract_notification", "bounce", ago(1 * HOUR));
      const receipt = await bounced("payment_confirmation", "dropped", ago(2 * DAY));
      await bounced("marketing", "bounce", ago(1 * HOUR));
      await bounced("payment_confirmation", "bounce", ago(8 * DAY));
      await bounced("payment_confirmation", "bounce", ago(1 * HOUR), other);

      const res = await get("/api/admin/health");

      expect(res.status, res.text).toBe(200);
      expect(res.json.email).toEqual({
        suppressions: { total: 3, all: 2, marketingOnly: 1 },
        suppressedMessages: { last24h: 1, last7d: 2 },
        bouncedContractAndPaymentEmails: {
          last7d: 2,
          recent: [
            { id: contract, kind: "contract_notification", toEmail: "family@x.example", deliveryStatus: "bounce", at: ago(1 * HOUR).toISOString() },
            { id: receipt, kind: "payment_confirmation", toEmail: "family@x.example", deliveryStatus: "dropped", at: ago(2 * DAY).toISOString() },
          ],
        },
      });
    });

    it("reports each integration: enabled, last test, last event, windows, backlog and a one-word status", async () => {
      const { services, tenantId, get } = await setup();
      await configureIntegration(services, tenantId, "stripe", { webhookSecret: "whsec_x" }, { enabled: true });
      await configureIntegration(services, tenantId, "zoom", { webhookSecretToken: "t" }, { enabled: false });
      await db.query("update integrations set last_test_at = $2, last_test_ok = true where tenant_id = $1 and integration_key = 'stripe'", [tenantId, ago(2 * HOUR)]);
      await event(db, tenantId, "stripe", "processed", ago(1 * HOUR));
      await event(db, tenantId, "stripe", "failed", ago(3 * HOUR));
      await event(db, tenantId, "stripe", "dead", ago(3 * DAY));
      await event(db, tenantId, "stripe", "processed", ago(6 * DAY));
      await event(db, tenantId, "stripe", "failed", ago(10 * DAY)); // outside 7 d, still awaiting a retry
      await signatureFailure(db, tenantId, "stripe", ago(5 * HOUR));
      await signatureFailure(db, tenantId, "stripe", ago(2 * DAY));
      await signatureFailure(db, tenantId, "stripe", ago(9 * DAY));

      const res = await get("/api/admin/health");

      expect(res.status, res.text).toBe(200);
      expect(res.json.generatedAt).toBe(new Date(NOW).toISOString());
      expect(res.json.integrations.map((i: { key: string }) => i.key)).toEqual(["stripe", "docusign", "zoom", "sendgrid"]);
      expect(res.json.integrations[0]).toEqual({
        key: "stripe", configured: true, enabled: true,
        lastTest: { at: ago(2 * HOUR).toISOString(), ok: true, error: null },
        lastEventAt: ago(1 * HOUR).toISOString(),
        events: { last24h: 2, last7d: 4 },
        processingFailures: { last24h: 1, last7d: 2 },
        signatureFailures: { last24h: 1, last7d: 2 },
        awaitingRetry: 2,
        deadLettered: 1,
        oldestUnprocessedAt: ago(10 * DAY).toISOString(),
        status: "error",
      });
      expect(res.json.integrations[1]).toMatchObject({ key: "docusign", configured: false, enabled: false, lastTest: null, lastEventAt: null, status: "not_configured", events: { last24h: 0, last7d: 0 } });
      expect(res.json.integrations[2]).toMatchObject({ key: "zoom", configured: true, enabled: false, status: "disabled" });
    });

    it("says warning for events awaiting a retry, error for a failed last test, ok otherwise", async () => {
      const { services, tenantId, get } = await setup();
      for (const key of ["stripe", "sendgrid", "docusign"] as const) await configureIntegration(services, tenantId, key, {}, { enabled: true });
      await event(db, tenantId, "stripe", "failed", ago(HOUR));
      await db.query("update integrations set last_test_at = $2, last_test_ok = false, last_test_error = 'bad key' where tenant_id = $1 and integration_key = 'sendgrid'", [tenantId, ago(HOUR)]);
      await event(db, tenantId, "docusign", "processed", ago(HOUR));

      const byKey = Object.fromEntries((await get("/api/admin/health")).json.integrations.map((i: { key: string }) => [i.key, i]));

      expect(byKey.stripe.status).toBe("warning");
      expect(byKey.sendgrid).toMatchObject({ status: "error", lastTest: { ok: false, error: "bad key" } });
      expect(byKey.docusign.status).toBe("ok");
    });

    it("counts the payments with an open dispute, never closed ones nor disputes of no payment of the school", async () => {
      const { tenantId, get } = await setup();
      // Deliveries are signed now: the webhook checks the timestamp against the real clock.
      const services = await testServices(db);
      await configureIntegration(services, tenantId, "stripe", { webhookSecret: WEBHOOK_SECRET }, { enabled: true });
      const enrollmentId = await createEnrollment(db, tenantId);
      const open = await paidEnrollmentFee(services, tenantId, enrollmentId, { amount: 15_000 });
      const review = await paidEnrollmentFee(services, tenantId, enrollmentId, { amount: 5_000, currency: "eur" });
      const won = await paidEnrollmentFee(services, tenantId, enrollmentId);
      await deliverStripeEvent(services, tenantId, "charge.dispute.created", dispute({ paymentIntent: open, amount: 15_000 }));
      await deliverStripeEvent(services, tenantId, "charge.dispute.updated", dispute({ paymentIntent: review, amount: 5_000, currency: "eur", status: "under_review" }));
      await deliverStripeEvent(services, tenantId, "charge.dispute.closed", dispute({ paymentIntent: won, status: "won" }));
      // Another school's dispute in a shared (district) account, without a marker: kept, counted nowhere.
      await deliverStripeEvent(services, tenantId, "charge.dispute.created", dispute({ paymentIntent: "pi_not_this_school" }));

      const res = await get("/api/admin/health");

      expect(res.json.payments).toEqual({
        openDisputes: { count: 2, amounts: [{ currency: "eur", amount: 5_000 }, { currency: "usd", amount: 15_000 }] },
      });
    });

    it("one tenant never sees another's figures", async () => {
      const { services, tenantId, get } = await setup();
      await configureIntegration(services, tenantId, "stripe", {}, { enabled: true });
      await event(db, tenantId, "stripe", "dead", ago(HOUR));
      await signatureFailure(db, tenantId, "stripe", ago(HOUR));
      const other = await createTenant(db);
      const otherAdmin = await signToken({ tenantId: other, role: "admin" });

      const res = await get("/api/admin/health", otherAdmin);

      expect(res.status).toBe(200);
      for (const integration of res.json.integrations) {
        expect(integration).toMatchObject({
          configured: false, lastEventAt: null, events: { last24h: 0, last7d: 0 }, signatureFailures: { last24h: 0, last7d: 0 }, deadLettered: 0,
        });
      }
      expect(res.json.payments).toEqual({ openDisputes: { count: 0, amounts: [] } });
    });

    it("answers 400 to any parameter, 401 without a token, 403 to a member, 405 to POST", async () => {
      const { services, tenantId, token, get } = await setup();
      const bad = await get("/api/admin/health?tenantId=x");
      expect(bad.status).toBe(400);
      expect(Object.keys(bad.json.errors)).toEqual(["tenantId"]);
      expect((await get("/api/admin/health", "")).status).toBe(401);
      expect((await get("/api/admin/health", await signToken({ tenantId, role: "member" }))).status).toBe(403);
      expect((await callHandler(handler, services, { method: "POST", path: "/api/admin/health", token, body: {} })).status).toBe(405);
    });
  });

  describe("GET /api/admin/metrics", () => {
    it("counts events per day, source and status; payments per day, status and currency; emails per day and status", async () => {
      const { tenantId, get } = await setup();
      await event(db, tenantId, "stripe", "processed", ago(HOUR));
      await event(db, tenantId, "stripe", "processed", ago(2 * HOUR));
      await event(db, tenantId, "stripe", "failed", ago(DAY));
      await event(db, tenantId, "sendgrid", "processed", ago(2 * DAY));
      await event(db, tenantId, "stripe", "processed", ago(3 * DAY)); // before a 3-day window
      await payment(db, tenantId, { amount: 15_000, currency: "usd", status: "succeeded", createdAt: ago(HOUR) });
      await payment(db, tenantId, { amount: 5_000, currency: "usd", status: "succeeded", createdAt: ago(2 * HOUR) });
      await payment(db, tenantId, { amount: 7_000, currency: "eur", status: "failed", createdAt: ago(DAY) });
      await email(db, tenantId, "sent", ago(HOUR));
      await email(db, tenantId, "dead", ago(2 * DAY));

      const res = await get("/api/admin/metrics?days=3");

      expect(res.status, res.text).toBe(200);
      expect(res.json).toEqual({
        days: 3, from: "2026-11-24", to: "2026-11-26", timezone: "UTC",
        events: [
          { day: "2026-11-24", source: "sendgrid", status: "processed", count: 1 },
          { day: "2026-11-25", source: "stripe", status: "failed", count: 1 },
          { day: "2026-11-26", source: "stripe", status: "processed", count: 2 },
        ],
        payments: [
          { day: "2026-11-25", status: "failed", currency: "eur", count: 1, amount: 7_000 },
          { day: "2026-11-26", status: "succeeded", currency: "usd", count: 2, amount: 20_000 },
        ],
        emails: [
          { day: "2026-11-24", status: "dead", count: 1 },
          { day: "2026-11-26", status: "sent", count: 1 },
        ],
      });
      expect((await get("/api/admin/metrics")).json).toMatchObject({ days: 30, from: "2026-10-28", to: "2026-11-26" });
    });

    it("one tenant never sees another's figures", async () => {
      const { tenantId, get } = await setup();
      await event(db, tenantId, "stripe", "processed", ago(HOUR));
      await payment(db, tenantId, { amount: 1, currency: "usd", status: "succeeded", createdAt: ago(HOUR) });
      await email(db, tenantId, "sent", ago(HOUR));
      const otherAdmin = await signToken({ tenantId: await createTenant(db), role: "admin" });

      expect((await get("/api/admin/metrics", otherAdmin)).json).toMatchObject({ events: [], payments: [], emails: [] });
    });

    it.each([
      ["days=0", "days"], ["days=91", "days"], ["days=seven", "days"], ["days=-1", "days"], ["source=stripe", "source"],
    ])("answers 400 to ?%s", async (query, field) => {
      const { get } = await setup();
      const res = await get(`/api/admin/metrics?${query}`);
      expect(res.status).toBe(400);
      expect(Object.keys(res.json.errors)).toEqual([field]);
    });

    it("answers 401 without a token and 403 to a member", async () => {
      const { tenantId, get } = await setup();
      expect((await get("/api/admin/metrics", "")).status).toBe(401);
      expect((await get("/api/admin/metrics", await signToken({ tenantId, role: "member" }))).status).toBe(403);
    });
  });
});
