import type { Handler, Services } from "../../functions/_shared/context.ts";
import { contextFor } from "./services.ts";
import { signedStripeRequest } from "./stripe.ts";
import { createStripeTenant } from "./tenants.ts";

/** A handler's answer, read once: status, headers, raw text and (when it is JSON) the parsed body. */
export interface Delivery {
  status: number;
  text: string;
  // Tests index into answers freely; a body that is not JSON leaves `{}`, so assertions on it fail visibly.
  json: Record<string, any>;
  headers: Headers;
}

/**
 * Calls a handler directly with a request context for `params` and reads its answer.
 * @example const res = await callHandler(handler, services, { tenantId }, req); expect(res.status).toBe(200);
 */
export async function callHandler(
  handler: Handler, services: Services, params: Record<string, string | undefined>, req: Request,
): Promise<Delivery> {
  const res = await handler(req, contextFor(services, params));
  const text = await res.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch {
    // Not JSON: see `json` above.
  }
  return { status: res.status, text, json, headers: res.headers };
}

/**
 * A school with Stripe webhooks set up (its own webhook secret) and a `deliver` that signs an event as Stripe
 * would at `nowSeconds` and hands it to the stripe-webhook handler given.
 * @example const { tenantId, deliver } = await stripeSchool(handler, services, NOW); await deliver(stripeEvent(…));
 */
export async function stripeSchool(handler: Handler, services: Services, nowSeconds: number) {
  const secret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
  const tenantId = await createStripeTenant(services, secret);
  const deliver = (event: object) =>
    callHandler(handler, services, { tenantId }, signedStripeRequest(tenantId, JSON.stringify(event), { secret, timestamp: nowSeconds }));
  return { tenantId, secret, deliver };
}
