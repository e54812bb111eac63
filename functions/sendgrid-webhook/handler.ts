// sendgrid-webhook: POST /api/webhooks/sendgrid/{tenantId} (and /api/webhooks/sendgrid for single-school installs)
// SendGrid's Event Webhook: ECDSA-verified on the raw body with the tenant's verification key, then each
// event of the batch stored once (keyed by its sg_event_id) and applied atomically with storing it:
// an email_events row and our message's delivery status (effects.ts).
import { verifySendGrid } from "../_shared/verify/sendgrid.ts";
import { createWebhookHandler } from "../_shared/webhooks/webhook-handler.ts";
import { effectOf } from "./effects.ts";

export const handler = createWebhookHandler({
  fn: "sendgrid-webhook",
  source: "sendgrid",

  secretsOf: (credentials) => (typeof credentials.eventWebhookPublicKey === "string" && credentials.eventWebhookPublicKey
    ? [credentials.eventWebhookPublicKey]
    : []),

  async verify({ body, headers, secrets, nowSeconds }) {
    const events = await verifySendGrid({
      payload: body,
      signature: headers.get("x-twilio-email-event-webhook-signature"),
      timestamp: headers.get("x-twilio-email-event-webhook-timestamp"),
      publicKeys: secrets,
      nowSeconds,
    });
    return events.map((event) => ({ externalId: event.sg_event_id, eventType: event.event, payload: event }));
  },

  effectOf,
});
