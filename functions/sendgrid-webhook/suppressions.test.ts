// The Event Webhook filling a tenant's email_suppressions list, on PGlite and the real PostgreSQL. Requests
// are signed with Node's crypto (ECDSA P-256, DER over timestamp + body) as SendGrid documents; the events
// follow sendgrid/docs `content/docs/for-developers/tracking-events/event.md` (PROVIDERS.md, SendGrid).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { DbPool, Row } from "../_shared/db/port.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { callHandler } from "../../tests/support/delivery.ts";
import { sendgridEvent, sendgridSigningKey, signedSendGridRequest } from "../../tests/support/sendgrid.ts";
import { testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { configureIntegration, createTenant } from "../../tests/support/tenants.ts";
import { handler } from "./handler.ts";

const NOW_MS = 1_790_000_000_000;
const NOW = NOW_MS / 1000;
const batch = (...events: object[]) => `${JSON.stringify(events)}\r\n`;

describe.each(ADAPTERS)("sendgrid-webhook suppressions on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function setup() {
    const services: Services & { logs: CapturedLogs } = await testServices(db, { now: () => NOW_MS });
    const key = sendgridSigningKey();
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, "sendgrid", {
      apiKey: "SG.suppressionTestKey0.0123456789abcdefghijklmnopqrstuvwx", eventWebhookPublicKey: key.publicKey,
    }, { enabled: true, settings: { fromEmail: "office@school.example" } });
    const post = (...events: object[]) => callHandler(handler, services, { tenantId },
      signedSendGridRequest(tenantId, batch(...events), { privateKey: key.privateKey, timestamp: NOW }));
    const marked = (fields: Parameters<typeof sendgridEvent>[1] = {}) => ({ ...fields, customArgs: { ips_tenant_id: tenantId } });
    const list = () => db.query<Row>(
      "select email, reason, scope, detail from email_suppressions where tenant_id = $1 order by email", [tenantId]);
    return { services, tenantId, post, marked, list };
  }

  it("records bounces, address drops, spam reports and unsubscribes, lower-cased, with their scope", async () => {
    const { post, marked, list } = await setup();
    const res = await post(
      sendgridEvent("bounce", marked({ email: "Bounced@Example.com", extra: { type: "bounce", status: "5.1.1", reason: "550 5.1.1 no such user" } })),
      sendgridEvent("dropped", marked({ email: "dropped@example.com", extra: { reason: "Bounced Address" } })),
      sendgridEvent("dropped", marked({ email: "invalid@example.com", extra: { reason: "Invalid" } })),
      sendgridEvent("dropped", marked({ email: "optout@example.com", extra: { reason: "Unsubscribed Address" } })),
      sendgridEvent("spamreport", marked({ email: "spam@example.com" })),
      sendgridEvent("unsubscribe", marked({ email: "unsub@example.com" })),
      sendgridEvent("group_unsubscribe", marked({ email: "group@example.com", extra: { asm_group_id: 42 } })),
    );
    expect(res.status).toBe(200);
    expect(await list()).toEqual([
      { email: "bounced@example.com", reason: "bounce", scope: "all", detail: "550 5.1.1 no such user" },
      { email: "dropped@example.com", reason: "dropped", scope: "all", detail: "Bounced Address" },
      { email: "group@example.com", reason: "group_unsubscribe", scope: "marketing", detail: null },
      { email: "invalid@example.com", reason: "dropped", scope: "all", detail: "Invalid" },
      { email: "optout@example.com", reason: "dropped", scope: "marketing", detail: "Unsubscribed Address" },
      { email: "spam@example.com", reason: "spamreport", scope: "all", detail: null },
      { email: "unsub@example.com", reason: "unsubscribe", scope: "marketing", detail: null },
    ]);
  });

  it("suppresses nothing for a blocked bounce, a drop about the message, engagement events or an event without an address", async () => {
    const { post, marked, list } = await setup();
    const res = await post(
      sendgridEvent("bounce", marked({ email: "blocked@example.com", extra: { type: "blocked", reason: "421 try again later" } })),
      sendgridEvent("dropped", marked({ email: "smtpapi@example.com", extra: { reason: "Invalid SMTPAPI header" } })),
      sendgridEvent("dropped", marked({ email: "noreason@example.com" })),
      sendgridEvent("delivered", marked({ email: "delivered@example.com" })),
      sendgridEvent("group_resubscribe", marked({ email: "back@example.com", extra: { asm_group_id: 42 } })),
      sendgridEvent("spamreport", marked({ email: "not-an-address" })),
    );
    expect(res.json).toEqual({ received: 6, duplicates: 0, failed: 0 });
    expect(await list()).toEqual([]);
  });

  it("only widens a suppression, in either order, and changes nothing on a duplicate delivery", async () => {
    const { post, marked, list, tenantId } = await setup();
    await post(sendgridEvent("unsubscribe", marked({ email: "a@example.com" })));
    await post(sendgridEvent("bounce", marked({ email: "a@example.com", extra: { type: "bounce", reason: "550 gone" } })));
    const bounceFirst = sendgridEvent("spamreport", marked({ email: "b@example.com" }));
    await post(bounceFirst);
    await post(sendgridEvent("group_unsubscribe", marked({ email: "B@example.com" })));
    expect(await list()).toEqual([
      { email: "a@example.com", reason: "bounce", scope: "all", detail: "550 gone" },
      { email: "b@example.com", reason: "spamreport", scope: "all", detail: null },
    ]);

    const [before] = await db.query<{ updated_at: Date }>("select updated_at from email_suppressions where tenant_id = $1 and email = 'b@example.com'", [tenantId]);
    const again = await post(bounceFirst);
    expect(again.json).toMatchObject({ duplicates: 1, failed: 0 });
    const [after] = await db.query<{ updated_at: Date }>("select updated_at from email_suppressions where tenant_id = $1 and email = 'b@example.com'", [tenantId]);
    expect(after!.updated_at.getTime()).toBe(before!.updated_at.getTime());
  });

  it("puts nothing on this school's list for an event marked as another school's", async () => {
    const mine = await setup();
    const theirs = await setup();
    await mine.post(sendgridEvent("bounce", { email: "x@example.com", customArgs: { ips_tenant_id: theirs.tenantId }, extra: { type: "bounce" } }));
    expect(await mine.list()).toEqual([]);
    expect(await theirs.list()).toEqual([]);
  });

  it("answers 404 like any unconfigured webhook while the Event Webhook key is not set, though SendGrid is enabled", async () => {
    const services = await testServices(db, { now: () => NOW_MS });
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, "sendgrid", { apiKey: "SG.noEventWebhookKey00.0123456789abcdefghijklmnopqrstuvwx" }, {
      enabled: true, settings: { fromEmail: "office@school.example" },
    });
    const res = await callHandler(handler, services, { tenantId },
      signedSendGridRequest(tenantId, batch(sendgridEvent("bounce", { extra: { type: "bounce" } })), { privateKey: sendgridSigningKey().privateKey, timestamp: NOW }));
    expect(res.status).toBe(404);
    expect(await db.query("select 1 from webhook_events where tenant_id = $1", [tenantId])).toEqual([]);
  });
});
