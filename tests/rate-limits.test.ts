// Rate limits hold across instances: every instance (a Lambda, an edge isolate, the dev server) counts in the
// same Postgres table, so two instances with their own services and connection pools share one limit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../functions/_shared/context.ts";
import type { DbPool } from "../functions/_shared/db/port.ts";
import { handler as adminHealth } from "../functions/admin-health/handler.ts";
import { FUNCTIONS } from "../functions/manifest.ts";
import { createApp } from "../functions/runtimes/node/app.ts";
import { createLambdaHandler } from "../functions/runtimes/lambda/handler.ts";
import { handler as stripeWebhook } from "../functions/stripe-webhook/handler.ts";
import { callHandler } from "./support/admin-request.ts";
import { ADAPTERS, openTestDatabase } from "./support/database.ts";
import { httpApiEvent } from "./support/lambda-events.ts";
import { captureLogs, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, testServices } from "./support/services.ts";
import { paymentIntent, stripeEvent, stripeSignature } from "./support/stripe.ts";
import { createStripeTenant, createTenant } from "./support/tenants.ts";
import { signToken } from "./support/tokens.ts";

const MINUTE = 60_000;
const randomIp = () => `198.51.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;

describe.each(ADAPTERS)("rate limits shared by instances on %s", (adapter) => {
  // Each instance gets its own pool on real PostgreSQL, as two Lambdas would; PGlite has one embedded database.
  let dbA: DbPool;
  let dbB: DbPool;
  beforeAll(async () => {
    dbA = await openTestDatabase(adapter);
    dbB = adapter === "postgres" ? await openTestDatabase(adapter) : dbA;
  });
  afterAll(async () => {
    await dbA?.close();
    if (dbB !== dbA) await dbB?.close();
  });

  it("per admin: two handler instances share one limit; 429 with Retry-After; other admins and the next window unaffected", async () => {
    // 15 s into a minute, so Retry-After is exactly the 45 s left.
    let now = Math.floor(Date.now() / MINUTE) * MINUTE + 15_000;
    const options = { now: () => now, configOverrides: { USER_RATE_LIMIT_PER_MINUTE: "3" } };
    const instanceA = await testServices(dbA, options);
    const instanceB = await testServices(dbB, options);
    expect(instanceA).not.toBe(instanceB);
    const tenantId = await createTenant(dbA);
    const admin = await signToken({ sub: crypto.randomUUID(), tenantId, role: "admin" });
    const health = (services: Services, token = admin) => callHandler(adminHealth, services, { method: "GET", path: "/api/admin/health", token });

    const statuses = [];
    for (const services of [instanceA, instanceB, instanceA]) statuses.push((await health(services)).status);
    const refused = await health(instanceB);
    const otherAdmin = await health(instanceA, await signToken({ sub: crypto.randomUUID(), tenantId, role: "admin" }));

    expect(statuses).toEqual([200, 200, 200]);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("45");
    expect(refused.json).toMatchObject({ status: 429, code: "ERR_RATE_LIMITED" });
    expect(otherAdmin.status).toBe(200);

    now += MINUTE;
    expect((await health(instanceB)).status).toBe(200);
  });

  it("per client IP on webhooks: two Lambda instances and the dev server count the same IP together", async () => {
    const env = {
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, SUPABASE_JWT_SECRET: TEST_JWT_SECRET, APP_URL: "https://ips.example.test",
      WEBHOOK_RATE_LIMIT_PER_MINUTE: "3",
    };
    const lambdaA = createLambdaHandler("stripe-webhook", stripeWebhook, { env, openDb: () => dbA, services: { log: captureLogs().logger } });
    const lambdaB = createLambdaHandler("stripe-webhook", stripeWebhook, { env, openDb: () => dbB, services: { log: captureLogs().logger } });
    const devServices = await testServices(dbA, { configOverrides: { WEBHOOK_RATE_LIMIT_PER_MINUTE: "3" } });
    const dev = await createApp(devServices, FUNCTIONS);
    const secret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
    const tenantId = await createStripeTenant(devServices, secret);
    const ip = randomIp();

    const signedBody = () => {
      const event = stripeEvent("payment_intent.processing", paymentIntent({ status: "processing" }));
      const body = JSON.stringify(event);
      return { event, body, headers: { "content-type": "application/json", "stripe-signature": stripeSignature(body, { secret }) } };
    };
    const viaLambda = async (lambda: typeof lambdaA, sourceIp: string) => {
      const { event, body, headers } = signedBody();
      const apiEvent = httpApiEvent({ method: "POST", path: `/api/webhooks/stripe/${tenantId}`, routeKey: "POST /api/webhooks/stripe/{tenantId}", pathParameters: { tenantId }, headers, body });
      apiEvent.requestContext.http.sourceIp = sourceIp;
      // What a client writes in x-forwarded-for does not matter on Lambda: API Gateway's sourceIp does.
      apiEvent.headers["x-forwarded-for"] = randomIp();
      const result = await lambda(apiEvent);
      return { status: result.statusCode, retryAfter: result.headers?.["retry-after"], eventId: event.id };
    };
    const viaDev = async (forwardedFor: string) => {
      const { event, body, headers } = signedBody();
      const res = await dev.fetch(new Request(`http://localhost/api/webhooks/stripe/${tenantId}`, {
        method: "POST", headers: { ...headers, "x-forwarded-for": `${forwardedFor}, 10.0.0.1` }, body,
      }));
      return { status: res.status, retryAfter: res.headers.get("retry-after") ?? undefined, eventId: event.id };
    };

    const allowed = [await viaLambda(lambdaA, ip), await viaLambda(lambdaB, ip), await viaDev(ip)];
    const refused = [await viaLambda(lambdaA, ip), await viaDev(ip)];
    const otherClient = await viaLambda(lambdaB, randomIp());

    expect(allowed.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(refused.map((r) => r.status)).toEqual([429, 429]);
    for (const r of refused) expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(otherClient.status).toBe(200);
    // Refused before the handler ran: those events were never stored.
    const stored = await dbA.query<{ external_id: string }>("select external_id from webhook_events where tenant_id = $1", [tenantId]);
    expect(stored.map((r) => r.external_id).sort()).toEqual([...allowed, otherClient].map((r) => r.eventId).sort());
  });
});
