// The SendGrid Event Webhook end to end through the handler, on PGlite and the real PostgreSQL. Requests are
// signed with Node's crypto (ECDSA P-256, DER) exactly as SendGrid documents; SendGrid's own published test
// vector is delivered too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { Db, DbPool, Row } from "../_shared/db/port.ts";
import { enqueueEmailStatement } from "../_shared/domain/email/enqueue.ts";
import { MAX_BODY_BYTES } from "../_shared/http/body-limit.ts";
import { reapplyStoredEvent } from "../_shared/webhooks/reapply.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { sendgridEvent, sendgridSignature, sendgridSigningKey, signedSendGridRequest, type SendGridSigningKey } from "../../tests/support/sendgrid.ts";
import { testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { configureIntegration, createTenant } from "../../tests/support/tenants.ts";
import { WEBHOOK_EFFECTS } from "../webhook-effects.ts";
import { effectOf } from "./effects.ts";
import { handler } from "./handler.ts";
import { callHandler, type Delivery } from "../../tests/support/delivery.ts";

const NOW_MS = 1_790_000_000_000;
const NOW = NOW_MS / 1000;

// SendGrid's published test vector (sendgrid-nodejs packages/eventwebhook, eventwebhook.spec.js; PROVIDERS.md).
const VECTOR = {
  publicKey: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==",
  signature: "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=",
  timestamp: 1600112502,
  payload: '[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA","sg_message_id":"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>","timestamp":1600112492}]\r\n',
};

type TestServices = Services & { logs: CapturedLogs };


const send = (services: TestServices, params: Record<string, string | undefined>, req: Request): Promise<Delivery> =>
  callHandler(handler, services, params, req);

const batch = (...events: object[]) => `${JSON.stringify(events)}\r\n`;

const webhookEvents = (db: Db, tenantId: string) => db.query<Row>(
  "select external_id, event_type, status, attempts from webhook_events where tenant_id = $1 and source = 'sendgrid' order by created_at, external_id",
  [tenantId],
);
const emailEvents = (db: Db, tenantId: string) => db.query<Row>(
  "select sg_event_id, event, message_id, email, reason, occurred_at from email_events where tenant_id = $1 order by occurred_at, sg_event_id",
  [tenantId],
);
const messageOf = async (db: Db, id: string) => (await db.query<Row>(
  "select status, delivery_status, delivery_status_rank, delivery_updated_at, sent_at, last_error from email_messages where id = $1", [id],
))[0]!;
const signatureFailures = (db: Db, tenantId: string) => db.query<Row>(
  "select source, reason from webhook_signature_failures where tenant_id = $1 order by id", [tenantId],
);

describe.each(ADAPTERS)("sendgrid-webhook on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function setup(options: { enabled?: boolean; key?: SendGridSigningKey; nowMs?: number } = {}) {
    const services = await testServices(db, { now: () => options.nowMs ?? NOW_MS });
    const key = options.key ?? sendgridSigningKey();
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, "sendgrid", {
      apiKey: "SG.webhookTestKey000000.0123456789abcdefghijklmnopqrstuvwx", eventWebhookPublicKey: key.publicKey,
    }, { enabled: options.enabled ?? true });
    const post = (body: string, opts: { timestamp?: number; signature?: string | null; timestampHeader?: string | null; tenant?: string | null; signWith?: SendGridSigningKey } = {}) =>
      send(services, opts.tenant === null ? {} : { tenantId: opts.tenant ?? tenantId }, signedSendGridRequest(opts.tenant === null ? undefined : (opts.tenant ?? tenantId), body, {
        privateKey: (opts.signWith ?? key).privateKey, timestamp: opts.timestamp ?? NOW,
        ...(opts.signature !== undefined ? { signature: opts.signature } : {}),
        ...(opts.timestampHeader !== undefined ? { timestampHeader: opts.timestampHeader } : {}),
      }));
    return { services, key, tenantId, post };
  }

  /** A message of ours, as the sender leaves it once SendGrid took it. */
  async function sentMessage(tenantId: string, status = "sent"): Promise<string> {
    const statement = enqueueEmailStatement({ tenantId, kind: "payment_confirmation", to: { email: "parent@example.com" }, dedupeKey: crypto.randomUUID(), data: {} });
    await db.query(statement.text, statement.values);
    const [row] = await db.query<{ id: string }>(
      "update email_messages set status = $2, attempts = 1 where tenant_id = $1 returning id", [tenantId, status],
    );
    return row!.id;
  }
  const about = (tenantId: string, messageId: string) => ({ customArgs: { ips_message_id: messageId, ips_tenant_id: tenantId } });

  describe("verification and routing", () => {
    it("delivers SendGrid's published test vector end to end (clock at its timestamp)", async () => {
      const { services, tenantId } = await setup({ key: { publicKey: VECTOR.publicKey } as SendGridSigningKey, nowMs: VECTOR.timestamp * 1000 });
      const req = signedSendGridRequest(tenantId, VECTOR.payload, {
        privateKey: undefined as never, timestamp: VECTOR.timestamp, signature: VECTOR.signature,
      });
      const res = await send(services, { tenantId }, req);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ received: 1, duplicates: 0, failed: 0 });
      expect(await webhookEvents(db, tenantId)).toEqual([{
        external_id: "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA", event_type: "dropped", status: "processed", attempts: 1,
      }]);
      expect(await emailEvents(db, tenantId)).toEqual([{
        sg_event_id: "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA", event: "dropped", message_id: null,
        email: "hello@world.com", reason: "Bounced Address", occurred_at: new Date(1600112492 * 1000),
      }]);
    });

    it("stores each event of a batch once, as its own webhook_events row, and applies it", async () => {
      const { tenantId, post } = await setup();
      const messageId = await sentMessage(tenantId);
      const events = [
        sendgridEvent("processed", { timestamp: NOW - 30, ...about(tenantId, messageId) }),
        sendgridEvent("delivered", { timestamp: NOW - 20, ...about(tenantId, messageId) }),
        sendgridEvent("open", { timestamp: NOW - 10, ...about(tenantId, messageId) }),
      ];
      const res = await post(batch(...events));
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ received: 3, duplicates: 0, failed: 0 });
      expect((await webhookEvents(db, tenantId)).map((e) => [e.external_id, e.event_type, e.status])).toEqual(
        events.map((e) => [e.sg_event_id, e.event, "processed"]),
      );
      expect((await emailEvents(db, tenantId)).map((e) => [e.event, e.message_id])).toEqual([
        ["processed", messageId], ["delivered", messageId], ["open", messageId],
      ]);
      expect(await messageOf(db, messageId)).toMatchObject({
        status: "sent", delivery_status: "opened", delivery_status_rank: 4, delivery_updated_at: new Date((NOW - 10) * 1000),
      });
    });

    it("stores a duplicate inside a batch and across redeliveries once", async () => {
      const { tenantId, post } = await setup();
      const messageId = await sentMessage(tenantId);
      const delivered = sendgridEvent("delivered", { timestamp: NOW - 5, ...about(tenantId, messageId) });
      const first = await post(batch(delivered, delivered));
      expect(first.json).toEqual({ received: 2, duplicates: 1, failed: 0 });
      const again = await post(batch(delivered, sendgridEvent("open", { timestamp: NOW - 1, ...about(tenantId, messageId) })));
      expect(again.json).toEqual({ received: 2, duplicates: 1, failed: 0 });
      expect(await webhookEvents(db, tenantId)).toHaveLength(2);
      expect(await emailEvents(db, tenantId)).toHaveLength(2);
    });

    it("accepts the single-school URL only for the tenant whose key verifies", async () => {
      const { tenantId, post } = await setup();
      // Other suites' tenants have SendGrid too, so on this shared database the tenant-less URL is ambiguous.
      const res = await post(batch(sendgridEvent("delivered")), { tenant: null });
      expect(res.status).toBe(404);
      expect(await webhookEvents(db, tenantId)).toEqual([]);
    });

    it.each([
      ["no signature header", { signature: null }, "ERR_WEBHOOK_MISSING_HEADER"],
      ["no timestamp header", { timestampHeader: null }, "ERR_WEBHOOK_MISSING_HEADER"],
      ["a garbage signature", { signature: "bm90IGEgc2lnbmF0dXJl" }, "ERR_WEBHOOK_SIGNATURE"],
      ["a malformed DER signature", { signature: Buffer.from([0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01]).toString("base64") }, "ERR_WEBHOOK_SIGNATURE"],
      ["another key's signature (wrong key)", { signWith: sendgridSigningKey() }, "ERR_WEBHOOK_SIGNATURE"],
      ["a stale timestamp (301 s)", { timestamp: NOW - 301 }, "ERR_WEBHOOK_TIMESTAMP"],
      ["a future timestamp (301 s)", { timestamp: NOW + 301 }, "ERR_WEBHOOK_TIMESTAMP"],
    ] as const)("answers 401 to %s, stores nothing and records the failure", async (_, change, code) => {
      const { tenantId, post } = await setup();
      const res = await post(batch(sendgridEvent("delivered")), change);
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ status: 401, code });
      expect(await webhookEvents(db, tenantId)).toEqual([]);
      expect(await emailEvents(db, tenantId)).toEqual([]);
      expect(await signatureFailures(db, tenantId)).toEqual([{ source: "sendgrid", reason: code }]);
    });

    it("answers 401 to a body changed after signing and to tenant A's request sent to tenant B", async () => {
      const a = await setup();
      const b = await setup();
      const body = batch(sendgridEvent("delivered", { timestamp: NOW }));
      const signature = sendgridSignature(body, NOW, a.key.privateKey);
      expect((await a.post(body.replace("delivered", "bounce"), { signature })).status).toBe(401);
      expect((await b.post(body, { signature })).status).toBe(401);
      expect(await webhookEvents(db, b.tenantId)).toEqual([]);
    });

    it.each([
      ["not JSON", "[{\"event\":"],
      ["not an array", JSON.stringify(sendgridEvent("delivered"))],
      ["an event without sg_event_id", JSON.stringify([{ event: "delivered", email: "a@example.com" }])],
    ])("answers 400 to a correctly signed body that is %s, storing nothing", async (_, body) => {
      const { tenantId, post } = await setup();
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ code: "ERR_WEBHOOK_PAYLOAD" });
      expect(await webhookEvents(db, tenantId)).toEqual([]);
      expect(await signatureFailures(db, tenantId)).toEqual([]);
    });

    it("answers 404 to an unknown tenant, a non-uuid tenant and a tenant without SendGrid", async () => {
      const { post } = await setup();
      const bare = await createTenant(db);
      expect((await post(batch(sendgridEvent("delivered")), { tenant: crypto.randomUUID() })).status).toBe(404);
      expect((await post(batch(sendgridEvent("delivered")), { tenant: "not-a-uuid" })).status).toBe(404);
      expect((await post(batch(sendgridEvent("delivered")), { tenant: bare })).status).toBe(404);
    });

    it("answers 403 when the tenant's SendGrid is disabled, storing nothing", async () => {
      const { tenantId, post } = await setup({ enabled: false });
      const res = await post(batch(sendgridEvent("delivered")));
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ code: "ERR_INTEGRATION_DISABLED" });
      expect(await webhookEvents(db, tenantId)).toEqual([]);
    });

    it("answers 413 to a body over 1 MiB", async () => {
      const { post } = await setup();
      const res = await post(`[${" ".repeat(MAX_BODY_BYTES)}]`);
      expect(res.status).toBe(413);
    });

    it("acknowledges and stores events of types it does not act on", async () => {
      const { tenantId, post } = await setup();
      const messageId = await sentMessage(tenantId);
      const res = await post(batch(
        sendgridEvent("group_unsubscribe", { ...about(tenantId, messageId), extra: { asm_group_id: 42 } }),
        sendgridEvent("some_future_event", { ...about(tenantId, messageId) }),
      ));
      expect(res.json).toEqual({ received: 2, duplicates: 0, failed: 0 });
      expect((await emailEvents(db, tenantId)).map((e) => e.event).sort()).toEqual(["group_unsubscribe", "some_future_event"]);
      expect(await messageOf(db, messageId)).toMatchObject({ status: "sent", delivery_status: null, delivery_status_rank: 0 });
    });

    it("never puts the public key, the signature or the body in a log line or a response", async () => {
      const { services, key, post } = await setup();
      const marker = `marker-${crypto.randomUUID()}`;
      const body = batch(sendgridEvent("delivered", { email: `${marker}@example.com` }));
      const signature = sendgridSignature(body, NOW, key.privateKey);
      const responses = [
        await post(body),
        await post(body),
        await post(body, { signature: sendgridSignature(body, NOW, sendgridSigningKey().privateKey) }),
        await post(body, { timestamp: NOW - 3600 }),
        await post(`[{"note":"${marker}"}]`),
      ];
      expect(responses.map((r) => r.status)).toEqual([200, 200, 401, 401, 400]);
      for (const text of [...responses.map((r) => r.text), ...services.logs.lines]) {
        expect(text).not.toContain(key.publicKey.slice(30, 70));
        expect(text).not.toContain(signature);
        expect(text).not.toContain(marker);
      }
    });
  });

  describe("our messages: statuses only move forward", () => {
    it("keeps 'opened' when a late 'delivered' arrives, and lets 'clicked' follow", async () => {
      const { tenantId, post } = await setup();
      const messageId = await sentMessage(tenantId);
      await post(batch(sendgridEvent("open", { timestamp: NOW - 10, ...about(tenantId, messageId) })));
      await post(batch(sendgridEvent("delivered", { timestamp: NOW - 20, ...about(tenantId, messageId) })));
      expect(await messageOf(db, messageId)).toMatchObject({ delivery_status: "opened", delivery_updated_at: new Date((NOW - 10) * 1000) });
      await post(batch(sendgridEvent("click", { timestamp: NOW - 5, ...about(tenantId, messageId) })));
      expect(await messageOf(db, messageId)).toMatchObject({ delivery_status: "clicked" });
    });

    it.each(["bounce", "dropped", "spamreport"])("ends at %s: nothing after it changes the delivery status", async (ending) => {
      const { tenantId, post } = await setup();
      const messageId = await sentMessage(tenantId);
      await post(batch(
        sendgridEvent("processed", { timestamp: NOW - 30, ...about(tenantId, messageId) }),
        sendgridEvent(ending, { timestamp: NOW - 20, ...about(tenantId, messageId), extra: { reason: "550 mailbox unavailable" } }),
      ));
      await post(batch(
        sendgridEvent("delivered", { timestamp: NOW - 10, ...about(tenantId, messageId) }),
        sendgridEvent("click", { timestamp: NOW - 5, ...about(tenantId, messageId) }),
      ));
      expect(await messageOf(db, messageId)).toMatchObject({ delivery_status: ending, delivery_status_rank: 9 });
      expect((await emailEvents(db, tenantId)).find((e) => e.event === ending)!.reason).toBe("550 mailbox unavailable");
    });

    it("marks a message SendGrid reports on as sent when its sender never recorded it (no second send)", async () => {
      const { tenantId, post } = await setup();
      const sending = await sentMessage(tenantId, "sending");
      await db.query("update email_messages set last_error = 'SendGrid did not answer within 10 s' where id = $1", [sending]);
      await post(batch(sendgridEvent("processed", { timestamp: NOW - 3, ...about(tenantId, sending) })));
      expect(await messageOf(db, sending)).toMatchObject({ status: "sent", delivery_status: "processed", sent_at: new Date((NOW - 3) * 1000), last_error: null });
    });

    it("never touches another tenant's message, even when the custom_args name it", async () => {
      const mine = await setup();
      const theirs = await setup();
      const theirMessage = await sentMessage(theirs.tenantId);
      // custom_args naming their tenant (stored, never applied: no row at all), or our tenant with their
      // message id (our row, linked to no message).
      const res = await mine.post(batch(
        sendgridEvent("bounce", { ...about(theirs.tenantId, theirMessage) }),
        sendgridEvent("spamreport", { ...about(mine.tenantId, theirMessage) }),
      ));
      expect(res.status).toBe(200);
      expect((await webhookEvents(db, mine.tenantId)).map((e) => [e.event_type, e.status])).toEqual([["bounce", "processed"], ["spamreport", "processed"]]);
      expect(await messageOf(db, theirMessage)).toMatchObject({ delivery_status: null });
      expect((await emailEvents(db, mine.tenantId)).map((e) => [e.event, e.message_id])).toEqual([["spamreport", null]]);
    });

    it("ignores custom_args that are not our ids", async () => {
      const { tenantId, post } = await setup();
      const res = await post(batch(sendgridEvent("delivered", { customArgs: { ips_message_id: "not-a-uuid", ips_tenant_id: tenantId } })));
      expect(res.json).toEqual({ received: 1, duplicates: 0, failed: 0 });
      expect((await emailEvents(db, tenantId))[0]!.message_id).toBeNull();
    });

    it("re-applies a stored event (retry job, replay) without changing anything twice", async () => {
      const { tenantId, post } = await setup();
      const messageId = await sentMessage(tenantId);
      const event = sendgridEvent("delivered", { timestamp: NOW - 10, ...about(tenantId, messageId) });
      await post(batch(event));
      const [stored] = await db.query<{ id: string }>("select id from webhook_events where tenant_id = $1", [tenantId]);
      expect(await WEBHOOK_EFFECTS.sendgrid!()).toBe(effectOf);
      const result = await reapplyStoredEvent(db, {
        id: stored!.id, tenantId, externalId: event.sg_event_id as string, eventType: "delivered", payload: event,
      }, effectOf);
      expect(result).toEqual({ outcome: "processed" });
      expect(await emailEvents(db, tenantId)).toHaveLength(1);
      expect(await messageOf(db, messageId)).toMatchObject({ delivery_status: "delivered", delivery_status_rank: 3 });
    });
  });
});

describe("sendgrid-webhook for a single-school install (/api/webhooks/sendgrid)", () => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase("pglite");
  });
  afterAll(async () => {
    await db?.close();
  });

  it("routes to the only tenant with SendGrid enabled, verified with its key; 404 when there is none or several", async () => {
    const services = await testServices(db, { now: () => NOW_MS });
    const key = sendgridSigningKey();
    const body = batch(sendgridEvent("delivered", { timestamp: NOW }));
    const post = (signWith: SendGridSigningKey) => send(services, {}, signedSendGridRequest(undefined, body, { privateKey: signWith.privateKey, timestamp: NOW }));

    expect((await post(key)).status).toBe(404);
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, "sendgrid", { eventWebhookPublicKey: key.publicKey });
    expect((await post(key)).status).toBe(200);
    expect(await webhookEvents(db, tenantId)).toHaveLength(1);
    expect((await post(sendgridSigningKey())).status).toBe(401);

    const second = await createTenant(db);
    await configureIntegration(services, second, "sendgrid", { eventWebhookPublicKey: sendgridSigningKey().publicKey });
    expect((await post(key)).status).toBe(404);
  });
});
