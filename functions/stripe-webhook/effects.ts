import type { StripeEvent } from "../_shared/verify/stripe.ts";
import type { EffectOf } from "../_shared/webhooks/record-event.ts";
import { STRIPE_EVENT_EFFECTS } from "./events/index.ts";

/** What a stored Stripe event does: the same for a first delivery, a provider redelivery, a retry or a replay. */
export const effectOf: EffectOf = (tenantId, event) => STRIPE_EVENT_EFFECTS[event.eventType]?.(tenantId, event.payload as StripeEvent);
