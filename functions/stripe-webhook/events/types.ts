import type { StripeEvent } from "../../_shared/verify/stripe.ts";
import type { EventEffect } from "../../_shared/webhooks/record-event.ts";

/** What one kind of Stripe event does for a tenant; `undefined` when there is nothing to change. */
export type StripeEventEffect = (tenantId: string, event: StripeEvent) => EventEffect | undefined;
