import type { Context as HonoContext } from "hono";
import type { Config } from "../../_shared/config.ts";
import type { Handler } from "../../_shared/context.ts";
import { functionDefinition, type FunctionDefinition } from "../../manifest.ts";
import { clientIpBehindProxies } from "../client-ip.ts";
import { createFunctionApp, oncePerInstance, POOL_MAX, type RuntimeOptions } from "../function-app.ts";
import { supabaseEnv } from "./supabase-env.ts";
import { createEventGroups } from "../../_shared/webhooks/event-groups.ts";
import { supabaseRoutes } from "./supabase-routes.ts";

/** What `Deno.serve` passes its handler next to the request. */
export interface DenoServeInfo {
  remoteAddr: { hostname?: string };
}

/** The part of the `Deno` namespace used here, read off `globalThis` so Node's tsc can check this file too. */
interface DenoRuntime {
  env: { toObject(): Record<string, string> };
  serve(handler: (req: Request, info: DenoServeInfo) => Promise<Response>): unknown;
}

/** Proxies in front of a Supabase Edge Function by default: its edge gateway (see denoClientIp). */
export const SUPABASE_PROXY_HOPS = 1;

/**
 * The caller of a Supabase Edge Function: the entry Supabase's edge gateway appended to `x-forwarded-for` — the
 * rightmost one, never the leftmost, which the caller writes. `Deno.serve`'s `info.remoteAddr` is the gateway
 * itself there (the same for every caller), so it counts only with `TRUST_PROXY_HOPS=0`, i.e. Deno serving the
 * internet directly; `TRUST_PROXY_HOPS` also counts proxies of your own in front of the gateway.
 */
export function denoClientIp(c: HonoContext, config: Pick<Config, "trustProxyHops">): string | undefined {
  const info = c.env as Partial<DenoServeInfo> | undefined;
  return clientIpBehindProxies({
    peer: info?.remoteAddr?.hostname,
    forwardedFor: c.req.header("x-forwarded-for"),
    trustedHops: config.trustProxyHops ?? SUPABASE_PROXY_HOPS,
  });
}

/**
 * One manifest function as a fetch handler for Deno: its routes at the manifest paths and at Supabase's
 * (`supabaseRoutes`), services built on the first request of an isolate from `options.env` (through
 * `supabaseEnv`) and reused after. Tests call this with their own env and database.
 * @example Deno.serve(createDenoFetch("stripe-webhook", handler, { env: Deno.env.toObject() }));
 */
export function createDenoFetch(
  fn: string | FunctionDefinition,
  handler: Handler,
  options: RuntimeOptions,
): (req: Request, info?: DenoServeInfo) => Promise<Response> {
  const definition = typeof fn === "string" ? functionDefinition(fn) : fn;
  const served = { ...definition, routes: [...definition.routes, ...supabaseRoutes(definition)] };
  const clientIp = options.clientIp ?? denoClientIp;
  // An isolate serves concurrent requests: their webhook events share statements (event-groups.ts), as many in
  // flight as the pool has connections.
  const services = { eventGroups: createEventGroups({ maxInFlight: POOL_MAX }), ...options.services };
  const ready = oncePerInstance(() => createFunctionApp(served, handler, { ...options, env: supabaseEnv(options.env), clientIp, services }));
  return async (req, info) => (await ready()).fetch(req, info ? { remoteAddr: info.remoteAddr } : {});
}

/**
 * Serves one function as a Supabase Edge Function (`Deno.serve`), configured from `Deno.env`.
 * @example serveFunction("stripe-webhook", handler); // functions/stripe-webhook/deno.ts
 */
export function serveFunction(slug: string, handler: Handler): void {
  const deno = (globalThis as unknown as { Deno: DenoRuntime }).Deno;
  deno.serve(createDenoFetch(slug, handler, { env: deno.env.toObject() }));
}
