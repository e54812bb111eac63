import type Stripe from "stripe";
import type { ConnectionTester } from "../connection-test.ts";
import { createStripeClient } from "./client.ts";

/**
 * Stripe's connection test: `GET /v1/balance`, which every secret key and restricted keys with balance
 * read may call (PROVIDERS.md). Reports live/test mode and the balance currencies, never the key.
 */
export const testStripeConnection: ConnectionTester = async ({ credentials, ctx }) => {
  const secretKey = credentials.secretKey;
  if (typeof secretKey !== "string" || !secretKey) return { ok: false, error: "no secret key is saved or given", code: "missing_secret_key" };
  const stripe = createStripeClient(secretKey, { fetch: ctx.fetch, apiBase: ctx.config.providerBases.stripeApi });
  try {
    const balance = await stripe.balance.retrieve();
    return {
      ok: true,
      details: { livemode: balance.livemode, currencies: [...new Set(balance.available.map((b) => b.currency))] },
    };
  } catch (error) {
    const e = error as Stripe.errors.StripeError;
    if (e?.type === "StripeAuthenticationError") return { ok: false, error: "Stripe rejected the secret key (invalid or revoked)", code: e.code ?? "api_key_invalid" };
    if (e?.type === "StripePermissionError") return { ok: false, error: "this restricted key may not read the balance; give it 'Balance: read'", code: e.code ?? "permission_denied" };
    if (e?.type === "StripeConnectionError") return { ok: false, error: "Stripe could not be reached", code: "connection_error" };
    return { ok: false, error: `Stripe answered: ${e?.code ?? e?.type ?? "unknown error"}`, code: e?.code ?? "stripe_error" };
  }
};
