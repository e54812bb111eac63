// SendGrid Event Webhook: a JSON array of events as SendGrid posts it, signed as SendGrid signs it — ECDSA
// P-256 / SHA-256 over `timestamp + rawBody`, the DER signature in base64 in
// `X-Twilio-Email-Event-Webhook-Signature`, the timestamp (seconds) in `X-Twilio-Email-Event-Webhook-Timestamp`.
import { randomBytes, sign } from "node:crypto";
import type { SimulatedProvider } from "./provider.ts";

const EVENTS = ["processed", "delivered", "open", "click", "bounce", "dropped", "deferred", "spamreport", "unsubscribe"];

const sgEventId = () => randomBytes(16).toString("base64url");

export const sendgridProvider: SimulatedProvider = {
  key: "sendgrid",
  events: EVENTS,
  acceptsOtherEvents: false,
  build(event, input) {
    const timestamp = Math.floor(input.now / 1000);
    const messageId = input.objectId ?? `${randomBytes(11).toString("base64url")}.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0`;
    const base = {
      email: "parent.of.ada@example.edu",
      timestamp,
      "smtp-id": `<${messageId.split(".")[0]}@ismtpd0039p1iad1.sendgrid.net>`,
      event,
      category: ["enrollment"],
      sg_event_id: sgEventId(),
      sg_message_id: messageId,
      ...input.customArgs,
    };
    const details: Record<string, Record<string, unknown>> = {
      delivered: { response: "250 OK", ip: "168.1.1.1", tls: 1 },
      open: { useragent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)", ip: "255.255.255.255", sg_machine_open: false },
      click: { url: "https://school.example/pay", useragent: "Mozilla/5.0", ip: "255.255.255.255" },
      bounce: { reason: "550 5.1.1 The email account that you tried to reach does not exist.", status: "5.1.1", type: "bounce", bounce_classification: "Invalid Address" },
      dropped: { reason: "Bounced Address", status: "5.0.0" },
      deferred: { response: "400 try again later", attempt: "5" },
    };
    const body = [{ ...base, ...(details[event] ?? {}) }];
    return { body: JSON.stringify(body), describe: `${event} sg_event_id ${base.sg_event_id} for message ${messageId}` };
  },
  sign(body, key, timestampSeconds) {
    if (!("privateKey" in key)) throw new Error("SendGrid signs with an ECDSA private key");
    // Node signs EC keys with a DER-encoded signature by default: exactly what SendGrid sends.
    const signature = sign("sha256", Buffer.from(`${timestampSeconds}${body}`, "utf8"), key.privateKey).toString("base64");
    return {
      "content-type": "application/json",
      "user-agent": "SendGrid Event API",
      "x-twilio-email-event-webhook-signature": signature,
      "x-twilio-email-event-webhook-timestamp": String(timestampSeconds),
    };
  },
};
