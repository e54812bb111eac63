// stripe-webhook: POST /api/webhooks/stripe/{tenantId}
// Verifies Stripe-Signature on the raw body with the tenant's endpoint secret, stores each event once
// (keyed by event.id) and applies its effect (STRIPE_EVENT_EFFECTS) atomically with storing it.
// The Stripe SDK is deliberately not imported here: verification is ours (_shared/crypto/hmac.ts), so this
// function bundles small and runs the same on Lambda and Deno.
import { utf8Text } from "../_shared/crypto/encoding.ts";
import { verifyStripe } from "../_shared/verify/stripe.ts";
import { createWebhookHandler } from "../_shared/webhooks/webhook-handler.ts";
import { effectOf } from "./effects.ts";

export const handler = createWebhookHandler({
  fn: "stripe-webhook",
  source: "stripe",

  secretsOf: (credentials) => (typeof credentials.webhookSecret === "string" ? [credentials.webhookSecret] : []),

  async verify({ body, headers, secrets, nowSeconds }) {
    const event = await verifyStripe({ payload: body, header: headers.get("stripe-signature"), secrets, nowSeconds });
    return [{ externalId: event.id, eventType: event.type, payload: event, payloadJson: utf8Text(body) }];
  },

  effectOf,
});
