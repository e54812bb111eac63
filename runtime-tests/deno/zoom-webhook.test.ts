// The Zoom webhook on Deno (Supabase's runtime), served through createDenoFetch like functions/zoom-webhook/deno.ts:
// signatures made with WebCrypto per Zoom's scheme, the endpoint.url_validation handshake, and a meeting event
// applied to the meetings table — against PostgreSQL when configured, else PGlite.
import assert from "node:assert/strict";
import { loadConfig } from "../../functions/_shared/config.ts";
import { createServices, type Services } from "../../functions/_shared/context.ts";
import type { DbPool } from "../../functions/_shared/db/port.ts";
import { createLogger } from "../../functions/_shared/http/logger.ts";
import { createDenoFetch } from "../../functions/runtimes/deno/serve.ts";
import { handler } from "../../functions/zoom-webhook/handler.ts";
import { configureIntegration, createTenant } from "../../tests/support/tenants.ts";
import { openTestDatabase, TEST_ENCRYPTION_KEY } from "./support.ts";

const ENV = { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, APP_URL: "https://ips.example.test" };
const BASE = "https://abcdefghijklmnop.supabase.co";

const db: DbPool = await openTestDatabase();
const services: Services = createServices(await loadConfig(ENV, { requireJwtSecret: false }), db, { log: createLogger({}, () => {}) });
const secretToken = `zmtoken_${crypto.randomUUID().replaceAll("-", "")}`;
const tenantId = await createTenant(db);
await configureIntegration(services, tenantId, "zoom", { webhookSecretToken: secretToken });
const fetch = createDenoFetch("zoom-webhook", handler, { env: ENV, openDb: () => db, services: { log: createLogger({}, () => {}) } });

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** Zoom's scheme on WebCrypto: hex HMAC-SHA256 with the secret token. */
async function hmacHex(message: string, key = secretToken): Promise<string> {
  const hmac = await crypto.subtle.importKey("raw", new TextEncoder().encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return hex(await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode(message)));
}

async function deliver(body: string, key = secretToken): Promise<Response> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return fetch(new Request(`${BASE}/zoom-webhook/${tenantId}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-zm-request-timestamp": timestamp, "x-zm-signature": `v0=${await hmacHex(`v0:${timestamp}:${body}`, key)}` },
    body,
  }));
}

Deno.test({
  name: "zoom-webhook on Deno: url_validation, signature checks and a meeting event",
  async fn(t) {
    await t.step("endpoint.url_validation → {plainToken, encryptedToken}", async () => {
      const res = await deliver(JSON.stringify({ payload: { plainToken: "deno-plain-token" }, event_ts: Date.now(), event: "endpoint.url_validation" }));
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { plainToken: "deno-plain-token", encryptedToken: await hmacHex("deno-plain-token") });
    });

    await t.step("a signature made with another secret token → 401", async () => {
      const res = await deliver(JSON.stringify({ payload: { plainToken: "x" }, event_ts: Date.now(), event: "endpoint.url_validation" }), "zmtoken_not_this_one");
      assert.equal(res.status, 401);
      assert.equal((await res.json()).code, "ERR_WEBHOOK_SIGNATURE");
    });

    await t.step("meeting.started (non-ASCII body) → stored and applied", async () => {
      const zoomMeetingId = 81_234_567_890;
      const uuid = "deno+uuid/AbCdEfGh==";
      const [row] = await db.query<{ id: string }>(
        `insert into meetings (tenant_id, zoom_meeting_id, uuid, type, topic, auto_recording, join_url)
         values ($1, $2, $3, 2, 'Álgebra — Zoë 🎓', 'none', 'https://us05web.zoom.us/j/1') returning id`, [tenantId, zoomMeetingId, uuid]);
      const eventTs = Date.now() - 1000;
      const body = JSON.stringify({
        event: "meeting.started", event_ts: eventTs,
        payload: { account_id: "AbC", object: { id: String(zoomMeetingId), uuid, topic: "Álgebra — Zoë 🎓", type: 2, start_time: "2026-12-01T15:00:00Z" } },
      });
      const res = await deliver(body);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { received: 1, duplicates: 0, failed: 0 });
      const [meeting] = await db.query<{ status: string }>("select status from meetings where id = $1", [row!.id]);
      assert.equal(meeting!.status, "started");
      const events = await db.query<{ external_id: string }>("select external_id from webhook_events where tenant_id = $1 and source = 'zoom'", [tenantId]);
      assert.deepEqual(events.map((e) => e.external_id), [`meeting.started:${uuid}:${eventTs}`]);
    });

    await db.close();
  },
});
