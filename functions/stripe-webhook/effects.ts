import type { StripeEvent } from "../_shared/verify/stripe.ts";
import type { EffectOf } from "../_shared/webhooks/record-event.ts";
import { ownTenantOnly } from "../_shared/webhooks/tenant-marker.ts";
import { STRIPE_EVENT_EFFECTS } from "./events/index.ts";
import { stripeTenantMarker } from "./tenant-marker.ts";

/**
 * What a stored Stripe event does: the same for a first delivery, a provider redelivery, a retry or a replay.
 * Nothing for an event another school of the same Stripe account made (see ownTenantOnly).
 */
export const effectOf: EffectOf = ownTenantOnly(stripeTenantMarker, (tenantId, event) =>
  STRIPE_EVENT_EFFECTS.get(event.eventType)?.(tenantId, event.payload as StripeEvent));
