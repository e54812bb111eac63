import type Stripe from "stripe";
import type { Context } from "../_shared/context.ts";
import { recordAndApply } from "../_shared/webhooks/record-event.ts";
import { WEBHOOK_EFFECTS } from "../webhook-effects.ts";
import { storedEventIds } from "./stored-event-ids.ts";

/** Stripe keeps events for 30 days; `created[gte]` asks for exactly that window. */
export const EVENT_RETENTION_SECONDS = 30 * 24 * 3600;
const PAGE_SIZE = 100;

export interface TenantReconciliation {
  /** Undelivered events Stripe listed. */
  listed: number;
  /** Of those, stored and applied now. */
  ingested: number;
  /** Already stored (by a delivery, an earlier run, or a delivery racing this one). */
  alreadyStored: number;
  /** Stored now, but the effect failed: `failed`, for the retry job. */
  failed: number;
  /** Stopped at `maxEvents` or the time budget; the next run picks up the rest. */
  incomplete: boolean;
}

/**
 * Lists the tenant's Stripe events that Stripe could not deliver (`GET /v1/events?delivery_success=false`,
 * last 30 days, every page) and ingests each one we lack through the webhook's own idempotent path
 * (recordAndApply with the Stripe effects): stored once, applied atomically, never twice — also when the
 * provider's own retry arrives at the same moment. Stripe errors (a revoked key, a rate limit) propagate.
 * @example const result = await reconcileTenant(ctx, tenantId, stripe, { maxEvents: 5000, deadline });
 */
export async function reconcileTenant(
  ctx: Context, tenantId: string, stripe: Stripe, limits: { maxEvents: number; deadline: number },
): Promise<TenantReconciliation> {
  const result: TenantReconciliation = { listed: 0, ingested: 0, alreadyStored: 0, failed: 0, incomplete: false };
  const createdGte = Math.floor(ctx.now() / 1000) - EVENT_RETENTION_SECONDS;
  let startingAfter: string | undefined;
  for (;;) {
    const page = await stripe.events.list({
      delivery_success: false,
      created: { gte: createdGte },
      limit: PAGE_SIZE,
      ...(startingAfter ? { starting_after: startingAfter } : {}),
    });
    result.listed += page.data.length;
    const stored = await storedEventIds(ctx.db, tenantId, page.data.map((event) => event.id));
    for (const event of page.data) {
      if (stored.has(event.id)) {
        result.alreadyStored++;
        continue;
      }
      await ingest(ctx, tenantId, event, result);
    }
    if (!page.has_more || page.data.length === 0) return result;
    if (result.listed >= limits.maxEvents || ctx.now() >= limits.deadline) return { ...result, incomplete: true };
    startingAfter = page.data[page.data.length - 1]!.id;
  }
}

async function ingest(ctx: Context, tenantId: string, event: Stripe.Event, result: TenantReconciliation): Promise<void> {
  const incoming = { externalId: event.id, eventType: event.type, payload: event };
  // Through the registry, like the retry job: what a Stripe event does is the stripe-webhook function's to say.
  const effectOf = await WEBHOOK_EFFECTS.stripe!();
  const { outcome } = await recordAndApply(ctx.db, tenantId, "stripe", incoming, effectOf);
  const line = { tenantId, source: "stripe", eventId: event.id, eventType: event.type, outcome };
  if (outcome === "processed") {
    result.ingested++;
    ctx.log.info("undelivered event ingested", line);
  } else if (outcome === "duplicate") {
    result.alreadyStored++;
  } else {
    result.failed++;
    ctx.log.warn("undelivered event stored as failed; the retry job will re-apply it", line);
  }
}
