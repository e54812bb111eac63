import Stripe from "stripe";

/**
 * The API version of every outbound call: the one stripe@23.1.0's types describe. Pinned so neither an
 * account's default version nor an SDK upgrade changes what we send and read without a code change (an
 * upgrade that moves the SDK's latest version fails type-checking here).
 */
export const STRIPE_API_VERSION: Stripe.LatestApiVersion = "2026-10-28.endive";

export interface StripeClientOptions {
  /** The runtime's fetch (`ctx.fetch`): the SDK then runs unchanged on Lambda and Deno, and msw sees it in tests. */
  fetch: typeof fetch;
  /** `STRIPE_API_BASE` (e.g. stripe-mock on `http://127.0.0.1:12111`); Stripe's own host when absent. */
  apiBase?: string | undefined;
}

/** Where `STRIPE_API_BASE` points the SDK: it takes the host, port and protocol separately. */
function hostOptions(apiBase: string): Pick<Stripe.StripeConfig, "host" | "port" | "protocol"> {
  const url = new URL(apiBase);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return { host: url.hostname, port: url.port || (protocol === "http" ? 80 : 443), protocol };
}

/**
 * A Stripe client for one tenant's secret key. One network retry (the SDK reuses the idempotency key we
 * pass, so a retry never doubles anything) and a timeout that fits a 15-second function; no telemetry
 * headers. Every call made with it passes its own `idempotencyKey`.
 * @example const stripe = createStripeClient(secretKey, { fetch: ctx.fetch, apiBase: ctx.config.providerBases.stripeApi });
 */
export function createStripeClient(secretKey: string, options: StripeClientOptions): Stripe {
  return new Stripe(secretKey, {
    apiVersion: STRIPE_API_VERSION,
    httpClient: Stripe.createFetchHttpClient(options.fetch),
    maxNetworkRetries: 1,
    timeout: 6_000,
    telemetry: false,
    ...(options.apiBase ? hostOptions(options.apiBase) : {}),
  });
}
