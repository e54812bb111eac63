// docusign-webhook: POST /api/webhooks/docusign/{tenantId} (and /api/webhooks/docusign for a single school)
// Verifies DocuSign Connect's X-DocuSign-Signature-N headers (base64 HMAC-SHA256 of the raw body) against
// every HMAC key the tenant saved, stores each event once (envelopeId + event + generatedDateTime
// [+ recipientId]) and moves the enrollment's signature status forward atomically with storing it.
// No DocuSign client is imported here: the webhook path needs no outbound call, which keeps jose out of
// this bundle.
import { utf8Text } from "../_shared/crypto/encoding.ts";
import { verifyDocuSign } from "../_shared/verify/docusign.ts";
import { createWebhookHandler } from "../_shared/webhooks/webhook-handler.ts";
import { effectOf } from "./effects.ts";
import { connectEventId } from "./external-id.ts";

export const handler = createWebhookHandler({
  fn: "docusign-webhook",
  source: "docusign",

  secretsOf: (credentials) =>
    Array.isArray(credentials.hmacKeys) ? credentials.hmacKeys.filter((key): key is string => typeof key === "string" && key.trim() !== "") : [],

  // No timestamp window: Connect signs the body only and sends no timestamp (see verifyDocuSign).
  async verify({ body, headers, secrets }) {
    const event = await verifyDocuSign({ payload: body, headers, secrets });
    return [{ externalId: connectEventId(event), eventType: event.event, payload: event, payloadJson: utf8Text(body) }];
  },

  effectOf,

  // Connect's "Include Documents" puts every PDF, base64, in the body: a signed contract passes 1 MiB.
  tooLargeDetail: "turn \"Include Documents\" off in this DocuSign Connect configuration — the signed PDF is fetched on demand " +
    "(GET /api/admin/enrollments/{id}/contract/document) — and keep \"Include custom fields\" on",
});
