import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";

/**
 * An Event Webhook signing key as SendGrid holds it, made with Node's crypto (never by the code under test):
 * the private half signs test requests, the public half is what the school pastes into its integration
 * (base64 of the SPKI DER, as SendGrid's settings page shows it).
 */
export interface SendGridSigningKey {
  privateKey: KeyObject;
  publicKey: string;
}

export function sendgridSigningKey(): SendGridSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return { privateKey, publicKey: publicKey.export({ type: "spki", format: "der" }).toString("base64") };
}

/** SendGrid's signature of a request: base64 of the DER ECDSA P-256/SHA-256 signature of `timestamp + body`. */
export function sendgridSignature(body: string | Uint8Array, timestamp: number | string, privateKey: KeyObject): string {
  const signed = Buffer.concat([Buffer.from(String(timestamp)), Buffer.from(body)]);
  return sign("sha256", signed, { key: privateKey, dsaEncoding: "der" }).toString("base64");
}

let sequence = 0;

/** One Event Webhook element as SendGrid documents it; `customArgs` appear as top-level fields. */
export function sendgridEvent(
  event: string,
  fields: { email?: string; timestamp?: number; sgEventId?: string; sgMessageId?: string; customArgs?: Record<string, string>; extra?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return {
    email: fields.email ?? "parent@example.com",
    timestamp: fields.timestamp ?? Math.floor(Date.now() / 1000),
    "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
    event,
    category: [],
    sg_event_id: fields.sgEventId ?? `sg_evt_${Date.now().toString(36)}${(sequence++).toString(36)}${Math.random().toString(36).slice(2, 10)}`,
    sg_message_id: fields.sgMessageId ?? "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
    ...(fields.customArgs ?? {}),
    ...(fields.extra ?? {}),
  };
}

/** A signed Event Webhook POST for `tenantId` (or the single-school URL), as SendGrid sends it: body ends with CRLF. */
export function signedSendGridRequest(
  tenantId: string | undefined,
  body: string,
  options: { privateKey: KeyObject; timestamp: number; signature?: string | null; timestampHeader?: string | null; baseUrl?: string },
): Request {
  const headers = new Headers({ "content-type": "application/json", "user-agent": "SendGrid Event API" });
  const timestamp = options.timestampHeader === undefined ? String(options.timestamp) : options.timestampHeader;
  const signature = options.signature === undefined ? sendgridSignature(body, options.timestamp, options.privateKey) : options.signature;
  if (timestamp !== null) headers.set("x-twilio-email-event-webhook-timestamp", timestamp);
  if (signature !== null) headers.set("x-twilio-email-event-webhook-signature", signature);
  const path = tenantId ? `/api/webhooks/sendgrid/${tenantId}` : "/api/webhooks/sendgrid";
  return new Request(`${options.baseUrl ?? "http://localhost"}${path}`, { method: "POST", headers, body });
}
