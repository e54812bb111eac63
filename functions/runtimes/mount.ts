import type { Context as HonoContext } from "hono";
import type { Hono } from "hono/tiny";
import type { Context, Handler, Services } from "../_shared/context.ts";
import { enforceRateLimit, webhookClientRule } from "../_shared/http/rate-limit.ts";
import { problem } from "../_shared/http/responses.ts";
import { requestIdOf } from "../_shared/http/request-id.ts";
import type { FunctionDefinition } from "../manifest.ts";

/** `{param}` (manifest, API Gateway) → `:param` (Hono). */
export const toHonoPath = (path: string) => path.replace(/\{(\w+)\}/g, ":$1");

/** What only the runtime knows about a request. */
export interface MountOptions {
  /**
   * The caller's IP, from what this runtime can trust: API Gateway's `requestContext.http.sourceIp` on Lambda,
   * the first `x-forwarded-for` hop on the dev server and Supabase (functions/runtimes/client-ip.ts).
   */
  clientIp?: (c: HonoContext) => string | undefined;
}

/**
 * Serves one function's manifest routes on a Hono app: every runtime (dev server, Lambda, Deno) routes
 * through this, so path parameters, request ids, error answers and the per-IP rate limit of webhook
 * functions (`auth: "signature"`; 429 before the handler runs) are the same everywhere.
 */
export function mountFunction(app: Hono, services: Services, definition: FunctionDefinition, handler: Handler, options: MountOptions = {}): void {
  for (const route of definition.routes) {
    app.on(route.method, toHonoPath(route.path), async (c) => {
      const requestId = requestIdOf(c.req.raw);
      const clientIp = options.clientIp?.(c);
      const ctx: Context = { ...services, params: c.req.param(), requestId, ...(clientIp ? { clientIp } : {}) };
      const rule = definition.auth === "signature" ? webhookClientRule(ctx, definition.slug) : undefined;
      const response = (rule && await enforceRateLimit({ ...ctx, log: services.log.child({ fn: definition.slug, requestId }) }, rule))
        || await handler(c.req.raw, ctx);
      response.headers.set("x-request-id", requestId);
      return response;
    });
  }
}

/** Problem-JSON answers for unmatched routes and anything a handler let escape (it never should). */
export function withProblemFallbacks(app: Hono, services: Services): Hono {
  app.notFound(() => problem({ status: 404, title: "Not found" }));
  app.onError((error) => {
    services.log.error("unhandled error in route", { error: error.name });
    return problem({ status: 500, title: "Internal error" });
  });
  return app;
}
