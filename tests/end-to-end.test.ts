// The whole flow over real HTTP, as a school admin and Stripe would use it: the admin saves the Stripe
// integration through the admin API, Stripe delivers signed events, the admin reads the result.
import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbPool } from "../functions/_shared/db/port.ts";
import { FUNCTIONS } from "../functions/manifest.ts";
import { createApp } from "../functions/runtimes/node/app.ts";
import { openTestDatabase } from "./support/database.ts";
import { testServices } from "./support/services.ts";
import { WEBHOOK_SECRET, paymentIntent, stripeEvent, stripeSignature } from "./support/stripe.ts";
import { createEnrollment, createTenant } from "./support/tenants.ts";
import { adminToken } from "./support/tokens.ts";

describe("end to end over HTTP", () => {
  let db: DbPool;
  let server: ServerType;
  let baseUrl: string;

  beforeAll(async () => {
    db = await openTestDatabase();
    const services = await testServices(db);
    const app = await createApp(services, FUNCTIONS);
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await db.close();
  });

  it("configures Stripe, receives a signed payment, and shows nothing secret", async () => {
    const tenantId = await createTenant(db);
    const enrollmentId = await createEnrollment(db, tenantId);
    const auth = { authorization: `Bearer ${await adminToken(tenantId)}` };

    const saved = await fetch(`${baseUrl}/api/admin/integrations/stripe`, {
      method: "PUT",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        enabled: true,
        credentials: { secretKey: "sk_test_51EndToEndKey0000000000000000", webhookSecret: `${WEBHOOK_SECRET}\n` },
        settings: { currency: "EUR", enrollmentFeeAmount: 15_000 },
      }),
    });
    expect(saved.status).toBe(200);
    const view = await saved.json();
    expect(view).toMatchObject({
      key: "stripe", enabled: true, settings: { currency: "eur", enrollmentFeeAmount: 15_000 },
      webhookUrl: `https://ips.example.test/api/webhooks/stripe/${tenantId}`,
    });
    expect(view.warnings).toEqual(["credentials.webhookSecret had leading or trailing whitespace, which was removed"]);
    expect(JSON.stringify(view)).not.toContain(WEBHOOK_SECRET);

    const body = JSON.stringify(stripeEvent("payment_intent.succeeded", paymentIntent({ enrollmentId, amount: 15_000, currency: "eur" })));
    const deliver = () => fetch(`${baseUrl}/api/webhooks/stripe/${tenantId}`, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": stripeSignature(body) },
      body,
    });
    const first = await deliver();
    expect(first.status).toBe(200);
    expect(first.headers.get("x-request-id")).toBeTruthy();
    expect(await first.json()).toEqual({ received: 1, duplicates: 0, failed: 0 });
    expect(await (await deliver()).json()).toEqual({ received: 1, duplicates: 1, failed: 0 });

    const payments = await db.query("select amount, currency, status, enrollment_id from payments where tenant_id = $1", [tenantId]);
    expect(payments).toEqual([{ amount: 15_000, currency: "eur", status: "succeeded", enrollment_id: enrollmentId }]);

    const audit = await db.query<{ details: Record<string, unknown> }>("select details from audit_log where tenant_id = $1", [tenantId]);
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(WEBHOOK_SECRET);
  });

  it("answers unknown routes and wrong methods with problem JSON, not a stack", async () => {
    const missing = await fetch(`${baseUrl}/api/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("application/problem+json");
    const wrongMethod = await fetch(`${baseUrl}/api/webhooks/stripe/${crypto.randomUUID()}`, { method: "GET" });
    expect(wrongMethod.status).toBe(404);
  });
});
