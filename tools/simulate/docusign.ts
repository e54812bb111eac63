// DocuSign Connect (JSON SIM): the event as Connect posts it, signed as Connect signs it —
// `X-DocuSign-Signature-1: base64(HMAC-SHA256(hmacKey, rawBody))` (one header per active key; we send one).
import { createHmac, randomUUID } from "node:crypto";
import type { SimulatedProvider } from "./provider.ts";
import { secretOf } from "./provider.ts";

const ENVELOPE_STATUS: Record<string, string> = {
  "envelope-sent": "sent", "envelope-delivered": "delivered", "envelope-completed": "completed",
  "envelope-declined": "declined", "envelope-voided": "voided",
};
const RECIPIENT_EVENTS = ["recipient-sent", "recipient-delivered", "recipient-completed", "recipient-declined", "recipient-authenticationfailed"];

/** DocuSign's timestamp format: seven fractional digits, `Z`. */
const docusignTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");

export const docusignProvider: SimulatedProvider = {
  key: "docusign",
  events: [...Object.keys(ENVELOPE_STATUS), ...RECIPIENT_EVENTS],
  acceptsOtherEvents: false,
  build(event, input) {
    const accountId = "b7c2e5a4-1f3d-4e8a-9c6b-2d5f8e1a3c70";
    const envelopeId = input.objectId ?? randomUUID();
    const recipient = RECIPIENT_EVENTS.includes(event);
    const status = ENVELOPE_STATUS[event] ?? "sent";
    const generatedDateTime = docusignTime(input.now);
    const body = {
      event,
      apiVersion: "v2.1",
      uri: `/restapi/v2.1/accounts/${accountId}/envelopes/${envelopeId}`,
      retryCount: 0,
      configurationId: "10418374",
      generatedDateTime,
      data: {
        accountId,
        userId: "9f0a3c1e-6b2d-4a8f-b5e7-1c3d5f7a9b20",
        envelopeId,
        ...(recipient ? { recipientId: "1" } : {}),
        envelopeSummary: {
          status,
          emailSubject: "Please sign: Enrollment contract",
          sender: { userName: "IPS Admissions", email: "admissions@school.example" },
          ...(input.enrollmentId ? { customFields: { textCustomFields: [{ name: "enrollment_id", value: input.enrollmentId }] } } : {}),
          ...(status === "completed" ? { completedDateTime: generatedDateTime } : {}),
          statusChangedDateTime: generatedDateTime,
        },
      },
    };
    return { body: JSON.stringify(body), describe: `${event} envelope ${envelopeId} at ${generatedDateTime}` };
  },
  sign(body, key) {
    const signature = createHmac("sha256", secretOf(key)).update(body, "utf8").digest("base64");
    return { "content-type": "application/json", "user-agent": "DocuSign Connect", "x-docusign-signature-1": signature };
  },
};
