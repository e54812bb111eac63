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
import { createIntegrationCache } from "../functions/_shared/integrations/cache.ts";
import { createDenoFetch } from "../functions/runtimes/deno/serve.ts";
import { startTestServer } from "./support/http-server.ts";
import { httpApiEvent } from "./support/lambda-events.ts";
import { captureLogs, contextFor, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, testServices } from "./support/services.ts";
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

  // Webhook counters run on a clock 20 minutes back (signatures made for it): windows no suite on the real clock
  // shares, so counts of shared buckets (127.0.0.1, unvouched) are this test's own.
  const pastWindow = () => Math.floor(Date.now() / MINUTE) * MINUTE - 20 * MINUTE + 1_000;
  const env = (overrides: Record<string, string> = {}) => ({
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, SUPABASE_JWT_SECRET: TEST_JWT_SECRET, APP_URL: "https://ips.example.test",
    WEBHOOK_RATE_LIMIT_PER_MINUTE: "3", ...overrides,
  });
  const hitsOf = async (ip: string) => (await dbA.query<{ hits: number }>(
    "select hits from rate_limits where bucket = $1", [`webhook-ip:stripe-webhook:${ip}`]))[0]?.hits ?? 0;
  const bucketsOf = async (ips: string[]) => (await dbA.query<{ bucket: string }>(
    "select bucket from rate_limits where bucket = any(string_to_array($1, ','))", [ips.map((ip) => `webhook-ip:stripe-webhook:${ip}`).join(",")])).map((r) => r.bucket);
  const failureRows = async (tenantId: string) => (await dbA.query<{ n: number }>(
    "select count(*)::int as n from webhook_signature_failures where tenant_id = $1", [tenantId]))[0]!.n;
  const storedIds = async (tenantId: string) => (await dbA.query<{ external_id: string }>(
    "select external_id from webhook_events where tenant_id = $1", [tenantId])).map((r) => r.external_id).sort();

  /** A Stripe delivery signed with `secret` for the instant `now`: the right secret or a wrong one. */
  const stripeDelivery = (secret: string, now: number) => {
    const event = stripeEvent("payment_intent.processing", paymentIntent({ status: "processing" }), { created: Math.floor(now / 1000) });
    const body = JSON.stringify(event);
    const headers = { "content-type": "application/json", "stripe-signature": stripeSignature(body, { secret, timestamp: Math.floor(now / 1000) }) };
    return { eventId: event.id, body, headers };
  };

  it("webhooks count only failed verifications, per Lambda sourceIp (never x-forwarded-for), shared by instances and the dev server behind TRUST_PROXY_HOPS=1; a verified delivery is never 429", async () => {
    const now = pastWindow();
    const services = { log: captureLogs().logger, now: () => now };
    const lambdaA = createLambdaHandler("stripe-webhook", stripeWebhook, { env: env(), openDb: () => dbA, services });
    const lambdaB = createLambdaHandler("stripe-webhook", stripeWebhook, { env: env(), openDb: () => dbB, services });
    const devServices = await testServices(dbA, { now: () => now, configOverrides: { WEBHOOK_RATE_LIMIT_PER_MINUTE: "3", TRUST_PROXY_HOPS: "1" } });
    const dev = await createApp(devServices, FUNCTIONS);
    const secret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
    const tenantId = await createStripeTenant(devServices, secret);
    const [ip, otherIp] = [randomIp(), randomIp()];
    const spoofed: string[] = [];

    const viaLambda = async (lambda: typeof lambdaA, sourceIp: string, signedWith: string) => {
      const { eventId, body, headers } = stripeDelivery(signedWith, now);
      const apiEvent = httpApiEvent({ method: "POST", path: `/api/webhooks/stripe/${tenantId}`, routeKey: "POST /api/webhooks/stripe/{tenantId}", pathParameters: { tenantId }, headers, body });
      apiEvent.requestContext.http.sourceIp = sourceIp;
      // A different address each time: were the header read, no bucket would ever fill.
      apiEvent.headers["x-forwarded-for"] = spoofed[spoofed.push(randomIp()) - 1]!;
      const result = await lambda(apiEvent);
      return { status: result.statusCode, retryAfter: result.headers?.["retry-after"], eventId };
    };
    const viaDev = async (signedWith: string) => {
      const { eventId, body, headers } = stripeDelivery(signedWith, now);
      // Our one proxy appended `ip`; what the caller wrote before it is ignored.
      const forwardedFor = `${spoofed[spoofed.push(randomIp()) - 1]}, ${ip}`;
      const res = await dev.fetch(new Request(`http://localhost/api/webhooks/stripe/${tenantId}`, {
        method: "POST", headers: { ...headers, "x-forwarded-for": forwardedFor }, body,
      }));
      return { status: res.status, retryAfter: res.headers.get("retry-after") ?? undefined, eventId };
    };
    const wrong = "whsec_not_the_tenants_secret_0000000000";

    const failed = [await viaLambda(lambdaA, ip, wrong), await viaLambda(lambdaB, ip, wrong), await viaDev(wrong)];
    const refused = [await viaLambda(lambdaA, ip, wrong), await viaDev(wrong), await viaLambda(lambdaB, ip, wrong)];
    const verified = [await viaLambda(lambdaA, ip, secret), await viaDev(secret), await viaLambda(lambdaB, ip, secret)];
    const otherClient = await viaLambda(lambdaB, otherIp, wrong);

    expect(failed.map((r) => r.status)).toEqual([401, 401, 401]);
    expect(refused.map((r) => [r.status, r.retryAfter])).toEqual([[429, "59"], [429, "59"], [429, "59"]]);
    expect(verified.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(otherClient.status).toBe(401);
    expect(await storedIds(tenantId)).toEqual(verified.map((r) => r.eventId).sort());
    // Refusals are neither counted nor recorded: three failures of `ip`, one of the other client.
    expect(await hitsOf(ip)).toBe(3);
    expect(await hitsOf(otherIp)).toBe(1);
    expect(await failureRows(tenantId)).toBe(4);
    expect(await bucketsOf(spoofed)).toEqual([]);
  });

  it("webhooks on the dev server count the socket's address; x-forwarded-for is ignored unless TRUST_PROXY_HOPS says a proxy wrote it", async () => {
    const now = pastWindow();
    const services = await testServices(dbA, { now: () => now, configOverrides: { WEBHOOK_RATE_LIMIT_PER_MINUTE: "2" } });
    const server = await startTestServer(services, FUNCTIONS.filter((fn) => fn.slug === "stripe-webhook"));
    try {
      const tenantId = await createStripeTenant(services, `whsec_${crypto.randomUUID().replaceAll("-", "")}`);
      const spoofed = [randomIp(), randomIp(), randomIp()];
      const statuses = [];
      for (const forwardedFor of spoofed) {
        const { body, headers } = stripeDelivery("whsec_wrong_secret_000000000000000000", now);
        const res = await fetch(`${server.baseUrl}/api/webhooks/stripe/${tenantId}`, { method: "POST", headers: { ...headers, "x-forwarded-for": forwardedFor }, body });
        statuses.push(res.status);
      }

      expect(statuses).toEqual([401, 401, 429]);
      expect(await hitsOf("127.0.0.1")).toBe(2);
      expect(await bucketsOf(spoofed)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("webhooks on Deno count the x-forwarded-for entry Supabase's gateway appended (the rightmost), not the caller's nor remoteAddr; TRUST_PROXY_HOPS=0 counts remoteAddr", async () => {
    const now = pastWindow();
    const services = { log: captureLogs().logger, now: () => now };
    const setupServices = await testServices(dbA, { now: () => now });
    const secret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
    const tenantId = await createStripeTenant(setupServices, secret);
    const [ip, gateway, directPeer] = [randomIp(), randomIp(), randomIp()];
    const spoofed = [randomIp(), randomIp(), randomIp()];
    const supabase = createDenoFetch("stripe-webhook", stripeWebhook, { env: env({ WEBHOOK_RATE_LIMIT_PER_MINUTE: "2" }), openDb: () => dbA, services });
    const direct = createDenoFetch("stripe-webhook", stripeWebhook, { env: env({ WEBHOOK_RATE_LIMIT_PER_MINUTE: "2", TRUST_PROXY_HOPS: "0" }), openDb: () => dbA, services });
    const send = async (fetchFn: typeof supabase, forwardedFor: string, peer: string, signedWith = "whsec_wrong_secret_000000000000000000") => {
      const { body, headers } = stripeDelivery(signedWith, now);
      const req = new Request(`http://localhost/functions/v1/stripe-webhook/${tenantId}`, { method: "POST", headers: { ...headers, "x-forwarded-for": forwardedFor }, body });
      return (await fetchFn(req, { remoteAddr: { hostname: peer } })).status;
    };

    const viaGateway = [];
    for (const spoof of spoofed) viaGateway.push(await send(supabase, `${spoof}, ${ip}`, gateway));
    const verified = await send(supabase, `${randomIp()}, ${ip}`, gateway, secret);
    const viaDirect = [await send(direct, ip, directPeer), await send(direct, ip, directPeer), await send(direct, ip, directPeer)];

    expect(viaGateway).toEqual([401, 401, 429]);
    expect(verified).toBe(200);
    expect(viaDirect).toEqual([401, 401, 429]);
    expect(await hitsOf(ip)).toBe(2);
    expect(await hitsOf(directPeer)).toBe(2);
    expect(await bucketsOf([...spoofed, gateway])).toEqual([]);
  });

  it("webhooks over the limit are refused on the cached secret alone — no forced reload, no failure row — which reloads at most once per 5 s per tenant; a verified delivery still goes through", async () => {
    let now = pastWindow();
    const services = await testServices(dbA, { now: () => now, configOverrides: { WEBHOOK_RATE_LIMIT_PER_MINUTE: "3" } });
    // The instance cache as deployed (kept longer than the test, so every load below is a forced reload or the first),
    // with a spy on the loader it is given.
    const cache = createIntegrationCache(10 * MINUTE, services.now);
    const loads: string[] = [];
    services.integrationCache = { ...cache, get: (tenantId, key, load, options) => cache.get(tenantId, key, () => (loads.push(tenantId), load()), options) };
    const secret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
    const tenantId = await createStripeTenant(services, secret);
    const otherTenantId = await createStripeTenant(services, secret);
    const ip = randomIp();
    const send = async (signedWith: string, tenant = tenantId) => {
      const { eventId, body, headers } = stripeDelivery(signedWith, now);
      const req = new Request(`http://localhost/api/webhooks/stripe/${tenant}`, { method: "POST", headers, body });
      const res = await stripeWebhook(req, { ...contextFor(services, { tenantId: tenant }), clientIp: ip });
      return { status: res.status, eventId };
    };
    const wrong = "whsec_wrong_secret_000000000000000000";
    const loadsOf = (tenant: string) => loads.filter((t) => t === tenant).length;

    expect((await send(secret)).status).toBe(200);
    expect(loadsOf(tenantId)).toBe(1);
    expect((await send(wrong)).status).toBe(401); // forced reload
    expect((await send(wrong)).status).toBe(401); // within 5 s: none
    expect(loadsOf(tenantId)).toBe(2);
    expect((await send(wrong, otherTenantId)).status).toBe(401); // another tenant's own reload (after its first load)
    expect(loadsOf(otherTenantId)).toBe(2);
    now += 5_000;
    const refused = await send(wrong); // the limit's third failure was the other tenant's: this IP is out
    now += 5_000;
    const refusedLater = await send(wrong); // a reload would be allowed again, but the IP is over the limit
    const verified = await send(secret);

    expect([refused.status, refusedLater.status]).toEqual([429, 429]);
    expect(loadsOf(tenantId)).toBe(2);
    expect(await failureRows(tenantId)).toBe(2);
    expect(verified.status).toBe(200);
    expect(await storedIds(tenantId)).toContain(verified.eventId);
  });

  it("webhook requests with no vouched IP share one bucket; an endpoint with no secret counts as a failure", async () => {
    const now = pastWindow();
    const services = await testServices(dbA, { now: () => now, configOverrides: { WEBHOOK_RATE_LIMIT_PER_MINUTE: "1" } });
    // The unvouched bucket is one per function, so the other tests' IP-less requests (this file's, in the same
    // minute) may already have counted in it: start it empty.
    await dbA.query("delete from rate_limits where bucket = $1", ["webhook-ip:stripe-webhook:unvouched"]);
    const unknownTenant = crypto.randomUUID();
    const send = async () => {
      const { body, headers } = stripeDelivery("whsec_wrong_secret_000000000000000000", now);
      const req = new Request(`http://localhost/api/webhooks/stripe/${unknownTenant}`, { method: "POST", headers, body });
      return (await stripeWebhook(req, contextFor(services, { tenantId: unknownTenant }))).status; // no clientIp
    };
    expect([await send(), await send()]).toEqual([404, 429]);
    expect(await hitsOf("unvouched")).toBe(2);
  });
});
