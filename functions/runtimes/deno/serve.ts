import type { Handler } from "../../_shared/context.ts";
import { functionDefinition, type FunctionDefinition } from "../../manifest.ts";
import { forwardedForClientIp } from "../client-ip.ts";
import { createFunctionApp, oncePerInstance, type RuntimeOptions } from "../function-app.ts";
import { supabaseEnv } from "./supabase-env.ts";
import { supabaseRoutes } from "./supabase-routes.ts";

/** The part of the `Deno` namespace used here, read off `globalThis` so Node's tsc can check this file too. */
interface DenoRuntime {
  env: { toObject(): Record<string, string> };
  serve(handler: (req: Request) => Promise<Response>): unknown;
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
): (req: Request) => Promise<Response> {
  const definition = typeof fn === "string" ? functionDefinition(fn) : fn;
  const served = { ...definition, routes: [...definition.routes, ...supabaseRoutes(definition)] };
  // Supabase's gateway puts the caller first in x-forwarded-for.
  const clientIp = options.clientIp ?? forwardedForClientIp;
  const ready = oncePerInstance(() => createFunctionApp(served, handler, { ...options, env: supabaseEnv(options.env), clientIp }));
  return async (req) => (await ready()).fetch(req);
}

/**
 * Serves one function as a Supabase Edge Function (`Deno.serve`), configured from `Deno.env`.
 * @example serveFunction("stripe-webhook", handler); // functions/stripe-webhook/deno.ts
 */
export function serveFunction(slug: string, handler: Handler): void {
  const deno = (globalThis as unknown as { Deno: DenoRuntime }).Deno;
  deno.serve(createDenoFetch(slug, handler, { env: deno.env.toObject() }));
}
