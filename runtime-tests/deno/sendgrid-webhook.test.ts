// The SendGrid Event Webhook on Deno (Supabase's runtime), served through createDenoFetch like
// functions/sendgrid-webhook/deno.ts: SendGrid's published test vector through the verifier, and a batch
// signed with WebCrypto (ECDSA P-256; the r‖s WebCrypto makes is DER-encoded, as SendGrid sends it) stored
// and applied — against PostgreSQL when configured, else PGlite.
import assert from "node:assert/strict";
import { loadConfig } from "../../functions/_shared/config.ts";
import { createServices, type Services } from "../../functions/_shared/context.ts";
import type { DbPool } from "../../functions/_shared/db/port.ts";
import { createLogger } from "../../functions/_shared/http/logger.ts";
import { verifySendGrid } from "../../functions/_shared/verify/sendgrid.ts";
import { createDenoFetch } from "../../functions/runtimes/deno/serve.ts";
import { handler } from "../../functions/sendgrid-webhook/handler.ts";
import { configureIntegration, createTenant } from "../../tests/support/tenants.ts";
import { openTestDatabase, TEST_ENCRYPTION_KEY } from "./support.ts";

const ENV = { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, APP_URL: "https://ips.example.test" };
const BASE = "https://abcdefghijklmnop.supabase.co";

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** DER `SEQUENCE { INTEGER r, INTEGER s }` of a raw r‖s signature (what SendGrid's header carries). */
function derOf(raw: Uint8Array): Uint8Array {
  const integer = (value: Uint8Array) => {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0) start++;
    const trimmed = value.subarray(start);
    const body = trimmed[0]! & 0x80 ? [0, ...trimmed] : [...trimmed];
    return [0x02, body.length, ...body];
  };
  const content = [...integer(raw.subarray(0, 32)), ...integer(raw.subarray(32))];
  return new Uint8Array([0x30, content.length, ...content]);
}

const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
const otherKeys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
const publicKey = base64(new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey)));

async function signature(body: string, timestamp: number, privateKey = keys.privateKey, der = true): Promise<string> {
  const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, new TextEncoder().encode(`${timestamp}${body}`)));
  return base64(der ? derOf(raw) : raw);
}

const db: DbPool = await openTestDatabase();
const services: Services = createServices(await loadConfig(ENV, { requireJwtSecret: false }), db, { log: createLogger({}, () => {}) });
const tenantId = await createTenant(db);
await configureIntegration(services, tenantId, "sendgrid", { eventWebhookPublicKey: publicKey });
const fetch = createDenoFetch("sendgrid-webhook", handler, { env: ENV, openDb: () => db, services: { log: createLogger({}, () => {}) } });

async function deliver(body: string, sign: (body: string, timestamp: number) => Promise<string> = signature): Promise<Response> {
  const timestamp = Math.floor(Date.now() / 1000);
  return fetch(new Request(`${BASE}/sendgrid-webhook/${tenantId}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-twilio-email-event-webhook-timestamp": String(timestamp),
      "x-twilio-email-event-webhook-signature": await sign(body, timestamp),
    },
    body,
  }));
}

Deno.test({
  name: "sendgrid-webhook on Deno: published vector, WebCrypto-signed batch, bad signatures",
  async fn(t) {
    await t.step("SendGrid's published test vector verifies (clock at its timestamp)", async () => {
      const events = await verifySendGrid({
        payload: '[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA","sg_message_id":"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>","timestamp":1600112492}]\r\n',
        signature: "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=",
        timestamp: "1600112502",
        publicKeys: ["MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=="],
        nowSeconds: 1600112502,
      });
      assert.equal(events[0]!.event, "dropped");
    });

    await t.step("a signed batch (non-ASCII, a duplicate inside) → one row per sg_event_id", async () => {
      const sgEventId = `deno-${crypto.randomUUID()}`;
      const event = { email: "zoë@example.com", event: "delivered", sg_event_id: sgEventId, timestamp: Math.floor(Date.now() / 1000) - 5 };
      const res = await deliver(`${JSON.stringify([event, event])}\r\n`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { received: 2, duplicates: 1, failed: 0 });
      const stored = await db.query<{ external_id: string }>("select external_id from webhook_events where tenant_id = $1 and source = 'sendgrid'", [tenantId]);
      assert.deepEqual(stored.map((e) => e.external_id), [sgEventId]);
      const recorded = await db.query<{ email: string }>("select email from email_events where tenant_id = $1", [tenantId]);
      assert.deepEqual(recorded.map((e) => e.email), ["zoë@example.com"]);
    });

    await t.step("another key's signature, or WebCrypto's raw r‖s instead of DER → 401", async () => {
      const body = JSON.stringify([{ event: "open", sg_event_id: `deno-${crypto.randomUUID()}` }]);
      const wrongKey = await deliver(body, (b, ts) => signature(b, ts, otherKeys.privateKey));
      assert.equal(wrongKey.status, 401);
      assert.equal((await wrongKey.json()).code, "ERR_WEBHOOK_SIGNATURE");
      const rawSignature = await deliver(body, (b, ts) => signature(b, ts, keys.privateKey, false));
      assert.equal(rawSignature.status, 401);
      await rawSignature.body?.cancel();
    });

    await db.close();
  },
});
