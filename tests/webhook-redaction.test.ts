// Credentials providers put in events (Zoom passcodes and tokens in URLs, Stripe client secrets, DocuSign
// access codes, tokens in the links SendGrid reports clicks on) never reach webhook_events, for every
// provider, while the event still does what it always did.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, DbPool } from "../functions/_shared/db/port.ts";
import { handler as docusignWebhook } from "../functions/docusign-webhook/handler.ts";
import { handler as sendgridWebhook } from "../functions/sendgrid-webhook/handler.ts";
import { handler as stripeWebhook } from "../functions/stripe-webhook/handler.ts";
import { handler as zoomWebhook } from "../functions/zoom-webhook/handler.ts";
import { ADAPTERS, openTestDatabase } from "./support/database.ts";
import { callHandler } from "./support/delivery.ts";
import { connectEvent, connectHmacKey, signedConnectRequest } from "./support/docusign.ts";
import { sendgridEvent, sendgridSigningKey, signedSendGridRequest } from "./support/sendgrid.ts";
import { testServices } from "./support/services.ts";
import { paymentIntent, signedStripeRequest, stripeEvent } from "./support/stripe.ts";
import { configureIntegration, createStripeTenant, createTenant } from "./support/tenants.ts";
import { meetingEvent, recordingCompletedEvent, signedZoomRequest, zoomMeetingNumber, zoomMeetingUuid } from "./support/zoom.ts";

/** What webhook_events holds for the tenant, as stored text (what an admin browsing events would see). */
const storedText = async (db: Db, tenantId: string) =>
  (await db.query<{ text: string; status: string }>("select payload::text as text, status from webhook_events where tenant_id = $1", [tenantId]));

describe.each(ADAPTERS)("webhook payloads are stored without credentials on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(() => db?.close());

  it("stripe: client_secret blanked, the payment still recorded", async () => {
    const services = await testServices(db);
    const secret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
    const tenantId = await createStripeTenant(services, secret);
    const intent = { ...paymentIntent({ amount: 12_000 }), client_secret: "pi_3Ab_secret_Zy98XwVu" };
    const body = JSON.stringify(stripeEvent("payment_intent.succeeded", intent));
    const res = await callHandler(stripeWebhook, services, { tenantId }, signedStripeRequest(tenantId, body, { secret }));

    expect(res.status).toBe(200);
    const [stored] = await storedText(db, tenantId);
    expect(stored!.status).toBe("processed");
    expect(stored!.text).not.toContain("secret_Zy98XwVu");
    expect(JSON.parse(stored!.text).data.object.client_secret).toBe("[redacted]");
    expect(await db.query("select amount from payments where tenant_id = $1", [tenantId])).toEqual([{ amount: 12_000 }]);
  });

  it("zoom: every passcode, pwd= and zak= blanked (meeting and recording events)", async () => {
    const services = await testServices(db);
    const secretToken = `zoom-${crypto.randomUUID()}`;
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, "zoom", { accountId: "a", clientId: "c", clientSecret: "s", webhookSecretToken: secretToken });
    const nowMs = Date.now();
    const [id, uuid] = [zoomMeetingNumber(), zoomMeetingUuid()];
    const started = meetingEvent("meeting.started", { id, uuid, eventTs: nowMs });
    Object.assign(started.payload.object, {
      password: "Mtg9Pass", h323_password: "H323pw11", pstn_password: "Pstnpw22", encrypted_password: "EncPw33x",
      settings: { password: "Mtg9Pass", waiting_room: true },
      join_url: `https://us02web.zoom.us/j/${id}?pwd=EncPw33x.1`, start_url: `https://us02web.zoom.us/s/${id}?zak=ZakTok44`,
    });
    const recording = recordingCompletedEvent({ id, uuid, eventTs: nowMs + 1, downloadToken: "DlTok55" });
    for (const event of [started, recording]) {
      const body = JSON.stringify(event);
      const res = await callHandler(zoomWebhook, services, { tenantId }, signedZoomRequest(tenantId, body, { secretToken, timestamp: Math.floor(nowMs / 1000) }));
      expect(res.status).toBe(200);
    }

    const stored = await storedText(db, tenantId);
    expect(stored.map((s) => s.status)).toEqual(["processed", "processed"]);
    for (const secret of ["Mtg9Pass", "H323pw11", "Pstnpw22", "EncPw33x", "ZakTok44", "DlTok55", "Xy7!pQ", "RpPasscode123"]) {
      for (const { text } of stored) expect(text).not.toContain(secret);
    }
    const meeting = stored.map((s) => JSON.parse(s.text) as { event: string; payload: { object: Record<string, unknown> } }).find((e) => e.event === "meeting.started")!;
    expect(meeting.payload.object).toMatchObject({
      id, password: "[redacted]", settings: { password: "[redacted]", waiting_room: true },
      join_url: `https://us02web.zoom.us/j/${id}?pwd=[redacted]`, start_url: `https://us02web.zoom.us/s/${id}?zak=[redacted]`,
    });
  });

  it("docusign: a recipient's access code blanked, the enrollment still advanced", async () => {
    const services = await testServices(db);
    const key = connectHmacKey();
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, "docusign", {
      integrationKey: crypto.randomUUID(), userId: crypto.randomUUID(), hmacKeys: [key],
      rsaPrivateKey: "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
    }, { settings: { environment: "demo" } });
    const envelopeId = crypto.randomUUID();
    await db.query(
      `insert into enrollments (tenant_id, student_name, signature_status, signature_envelope_id) values ($1, 'Ada Student', 'sent', $2)`,
      [tenantId, envelopeId]);
    const event = connectEvent("envelope-delivered", {
      envelopeId,
      envelopeSummary: { status: "delivered", recipients: { signers: [{ email: "grace@family.example", recipientId: "1", accessCode: "Acc3ssC0de" }] } },
    });
    const body = JSON.stringify(event);
    const res = await callHandler(docusignWebhook, services, { tenantId }, signedConnectRequest(tenantId, body, { keys: [key] }));

    expect(res.status).toBe(200);
    const [stored] = await storedText(db, tenantId);
    expect(stored!.text).not.toContain("Acc3ssC0de");
    expect(JSON.parse(stored!.text).data.envelopeSummary.recipients.signers[0]).toEqual({ email: "grace@family.example", recipientId: "1", accessCode: "[redacted]" });
    expect(await db.query("select signature_status from enrollments where tenant_id = $1", [tenantId])).toEqual([{ signature_status: "delivered" }]);
  });

  it("sendgrid: a token in a clicked link blanked, the email event still recorded", async () => {
    const services = await testServices(db);
    const key = sendgridSigningKey();
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, "sendgrid", { apiKey: "SG.test", eventWebhookPublicKey: key.publicKey });
    const click = sendgridEvent("click", { extra: { url: "https://ips.example.test/pay/123#token=Frag66", url_offset: { index: 0, type: "html" } } });
    const reset = sendgridEvent("click", { extra: { url: "https://ips.example.test/reset?token=Qry77&next=%2F" } });
    const body = `${JSON.stringify([click, reset])}\r\n`;
    const res = await callHandler(sendgridWebhook, services, { tenantId },
      signedSendGridRequest(tenantId, body, { privateKey: key.privateKey, timestamp: Math.floor(Date.now() / 1000) }));

    expect(res.status).toBe(200);
    const stored = await storedText(db, tenantId);
    expect(stored.map((s) => JSON.parse(s.text).url).sort()).toEqual([
      "https://ips.example.test/pay/123#token=[redacted]",
      "https://ips.example.test/reset?token=[redacted]&next=%2F",
    ]);
    expect(await db.query("select event from email_events where tenant_id = $1", [tenantId])).toEqual([{ event: "click" }, { event: "click" }]);
  });
});
