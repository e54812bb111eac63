import type Stripe from "stripe";
import type { Context } from "../../context.ts";
import { ProblemError } from "../../http/problem-error.ts";
import { CATALOG, type Settings } from "../../integrations/catalog.ts";
import { loadIntegration } from "../../integrations/store.ts";
import { createStripeClient } from "./client.ts";

/** A tenant's Stripe: a client on its secret key and its settings (currency, enrollment fee, tuition price). */
export interface TenantStripe {
  stripe: Stripe;
  settings: Settings<"stripe">;
}

/**
 * The tenant's Stripe, ready for outbound calls. Throws a 409 `ProblemError` when the school has not
 * enabled Stripe or saved no secret key: the request is fine, the school's setup is not.
 * @example const { stripe, settings } = await openTenantStripe(ctx, user.tenantId);
 */
export async function openTenantStripe(ctx: Context, tenantId: string): Promise<TenantStripe> {
  const integration = await loadIntegration(ctx.db, ctx.vault, tenantId, "stripe");
  if (!integration?.enabled) {
    throw new ProblemError({ status: 409, title: "Stripe is not set up", code: "ERR_STRIPE_NOT_ENABLED", detail: "this school has not enabled its Stripe integration" });
  }
  const secretKey = integration.credentials.secretKey;
  if (typeof secretKey !== "string" || !secretKey) {
    throw new ProblemError({ status: 409, title: "Stripe is not set up", code: "ERR_STRIPE_NO_SECRET_KEY", detail: "this school's Stripe integration has no secret key" });
  }
  const settings = CATALOG.stripe.settings.safeParse(integration.settings);
  if (!settings.success) {
    throw new ProblemError({ status: 409, title: "Stripe is not set up", code: "ERR_STRIPE_SETTINGS", detail: "this school's Stripe settings are invalid; an admin must save them again" });
  }
  return {
    stripe: createStripeClient(secretKey, { fetch: ctx.fetch, apiBase: ctx.config.providerBases.stripeApi }),
    settings: settings.data,
  };
}
