import type { Db } from "../../_shared/db/port.ts";
import type { StripeEvent } from "../../_shared/verify/stripe.ts";

/** Applies one kind of Stripe event inside the transaction that stores it. */
export type StripeEventHandler = (tx: Db, tenantId: string, event: StripeEvent) => Promise<void>;
