// The Stripe webhook handler on Deno, served the way a Supabase Edge Function serves it (createDenoFetch, the
// helper behind every functions/<slug>/deno.ts), against PostgreSQL when configured, else PGlite.
import assert from "node:assert/strict";
import { loadConfig, ConfigError } from "../../functions/_shared/config.ts";
import { createServices, type Services } from "../../functions/_shared/context.ts";
import type { DbPool } from "../../functions/_shared/db/port.ts";
import { createLogger } from "../../functions/_shared/http/logger.ts";
import { handler as adminIntegrations } from "../../functions/admin-integrations/handler.ts";
import { createDenoFetch } from "../../functions/runtimes/deno/serve.ts";
import { handler as stripeWebhook } from "../../functions/stripe-webhook/handler.ts";
import { createStripeTenant } from "../../tests/support/tenants.ts";
import { adminToken } from "../../tests/support/tokens.ts";
import { openTestDatabase, paymentIntent, stripeEvent, stripeSignature, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from "./support.ts";

const ENV = { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, SUPABASE_JWT_SECRET: TEST_JWT_SECRET, APP_URL: "https://ips.example.test" };
const BASE = "https://abcdefghijklmnop.supabase.co";

const db: DbPool = await openTestDatabase();
const services: Services = createServices(await loadConfig(ENV), db, { log: createLogger({}, () => {}) });
const secret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
const tenantId = await createStripeTenant(services, secret);

function fetchFor(handler = stripeWebhook, slug = "stripe-webhook", env: Record<string, string | undefined> = ENV) {
  const lines: string[] = [];
  const fetch = createDenoFetch(slug, handler, { env, openDb: () => db, services: { log: createLogger({}, (line) => lines.push(line)) } });
  return { fetch, lines };
}

async function signedDelivery(path: string, body: string, signingSecret = secret): Promise<Response> {
  const { fetch } = fetchFor();
  return fetch(new Request(`${BASE}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json; charset=utf-8",
      "stripe-signature": await stripeSignature(body, Math.floor(Date.now() / 1000), signingSecret),
    },
    body,
  }));
}

/** Rows as plain objects (postgres.js answers with an Array subclass, which strict deepEqual tells apart). */
async function rows<T>(sql: string, params: unknown[]): Promise<T[]> {
  return (await db.query(sql, params)).map((row) => ({ ...row }) as T);
}

const stored = (externalId: string) =>
  rows<{ status: string }>("select status from webhook_events where source = 'stripe' and external_id = $1", [externalId]);

Deno.test({
  name: "stripe-webhook on Deno: stores and applies a signed event, at Supabase's paths and the manifest's",
  async fn(t) {
    const intent = paymentIntent(42_000);
    const event = stripeEvent("payment_intent.succeeded", intent);
    const body = JSON.stringify(event);

    await t.step("POST /stripe-webhook/<tenantId> (hosted Supabase) → 200, stored, applied", async () => {
      const res = await signedDelivery(`/stripe-webhook/${tenantId}`, body);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { received: 1, duplicates: 0, failed: 0 });
      assert.ok(res.headers.get("x-request-id"));
      assert.deepEqual(await stored(event.id), [{ status: "processed" }]);
      const payments = await rows<{ amount: number; status: string }>(
        "select amount, status from payments where tenant_id = $1 and stripe_payment_intent = $2", [tenantId, intent.id],
      );
      assert.deepEqual(payments, [{ amount: 42_000, status: "succeeded" }]);
    });

    await t.step("the same delivery at /functions/v1/stripe-webhook/<tenantId> (local serve) → a duplicate", async () => {
      const res = await signedDelivery(`/functions/v1/stripe-webhook/${tenantId}`, body);
      assert.deepEqual(await res.json(), { received: 1, duplicates: 1, failed: 0 });
    });

    await t.step("POST /api/webhooks/stripe/<tenantId> (the manifest's path) → 200", async () => {
      const other = stripeEvent("payment_intent.succeeded", paymentIntent(1_000));
      const res = await signedDelivery(`/api/webhooks/stripe/${tenantId}`, JSON.stringify(other));
      assert.equal(res.status, 200);
      assert.deepEqual(await stored(other.id), [{ status: "processed" }]);
    });
  },
});

Deno.test("stripe-webhook on Deno: a wrong signature → 401, nothing stored, the failure recorded", async () => {
  const event = stripeEvent("payment_intent.succeeded", paymentIntent(5_000));
  const failures = async () =>
    (await rows<{ count: number }>("select count(*)::int as count from webhook_signature_failures where tenant_id = $1", [tenantId]))[0]!.count;
  const before = await failures();
  const res = await signedDelivery(`/stripe-webhook/${tenantId}`, JSON.stringify(event), "whsec_not_the_tenants_secret_000000");
  assert.equal(res.status, 401);
  assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
  assert.equal((await res.json()).code, "ERR_WEBHOOK_SIGNATURE");
  assert.deepEqual(await stored(event.id), []);
  assert.equal(await failures(), before + 1);
});

Deno.test("stripe-webhook on Deno: a path outside the function → 404 problem", async () => {
  const { fetch } = fetchFor();
  const res = await fetch(new Request(`${BASE}/other-function/${tenantId}`, { method: "POST", body: "{}" }));
  assert.equal(res.status, 404);
  assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
  await res.body?.cancel();
});

Deno.test("admin-integrations on Deno: JWT_SECRET stands in for SUPABASE_JWT_SECRET, served at /admin-integrations/{key}", async () => {
  const { SUPABASE_JWT_SECRET: _, ...hostedEnv } = ENV;
  const { fetch } = fetchFor(adminIntegrations, "admin-integrations", { ...hostedEnv, JWT_SECRET: TEST_JWT_SECRET });
  const res = await fetch(new Request(`${BASE}/admin-integrations/stripe`, { headers: { authorization: `Bearer ${await adminToken(tenantId)}` } }));
  assert.equal(res.status, 200);
  assert.equal((await res.json()).enabled, true);
});

Deno.test("configuration error on Deno: the request fails naming the variable, never its value", async () => {
  const badKey = "this-is-not-a-key-but-it-is-secret";
  const { fetch, lines } = fetchFor(stripeWebhook, "stripe-webhook", { ...ENV, ENCRYPTION_KEY: badKey });
  const error = await fetch(new Request(`${BASE}/stripe-webhook`, { method: "POST", body: "{}" })).catch((e: unknown) => e);
  assert.ok(error instanceof ConfigError);
  assert.equal(error.variable, "ENCRYPTION_KEY");
  assert.ok(!error.message.includes(badKey));
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /"variable":"ENCRYPTION_KEY"/);
  assert.ok(!lines[0]!.includes(badKey));
});

Deno.test("(teardown) close the test database", async () => {
  await db.close();
});
