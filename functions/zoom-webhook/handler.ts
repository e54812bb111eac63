// zoom-webhook: POST /api/webhooks/zoom/{tenantId} (and /api/webhooks/zoom for a single-school install)
// Verifies x-zm-signature over the raw body with the tenant's webhook secret token, answers Zoom's
// endpoint.url_validation once that check passed, and stores every other event once (keyed by event +
// object uuid/id + event_ts), applying its effect (ZOOM_EVENT_EFFECTS) atomically with storing it.
// One verify and one statement per delivery: well within the 3 s Zoom waits before retrying.
import { verifyZoom } from "../_shared/verify/zoom.ts";
import { createWebhookHandler } from "../_shared/webhooks/webhook-handler.ts";
import { effectOf } from "./effects.ts";
import { incomingZoomEvent } from "./incoming-event.ts";
import { answerUrlValidation } from "./url-validation.ts";

export const handler = createWebhookHandler({
  fn: "zoom-webhook",
  source: "zoom",

  secretsOf: (credentials) => (typeof credentials.webhookSecretToken === "string" && credentials.webhookSecretToken ? [credentials.webhookSecretToken] : []),

  async verify({ body, headers, secrets, nowSeconds }) {
    const event = await verifyZoom({ payload: body, headers, secrets, nowSeconds });
    return [incomingZoomEvent(event, body)];
  },

  respond: answerUrlValidation,

  effectOf,
});
