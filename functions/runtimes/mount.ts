import type { Context as HonoContext } from "hono";
import type { Hono } from "hono/tiny";
import type { Config } from "../_shared/config.ts";
import type { Context, Handler, Services } from "../_shared/context.ts";
import { problem } from "../_shared/http/responses.ts";
import { requestIdOf } from "../_shared/http/request-id.ts";
import type { FunctionDefinition } from "../manifest.ts";

/** `{param}` (manifest, API Gateway) → `:param` (Hono). */
export const toHonoPath = (path: string) => path.replace(/\{(\w+)\}/g, ":$1");

/** What only the runtime knows about a request. */
export interface MountOptions {
  /**
   * The caller's IP as this runtime's platform vouches for it, never a header the caller writes: API Gateway's
   * `requestContext.http.sourceIp` on Lambda, the socket (or `TRUST_PROXY_HOPS` from the right of
   * `x-forwarded-for`) on the dev server, the entry Supabase's gateway appended on Deno (functions/runtimes/client-ip.ts).
   * `undefined` when nothing vouches for one.
   */
  clientIp?: (c: HonoContext, config: Config) => string | undefined;
}

/**
 * Serves one function's manifest routes on a Hono app: every runtime (dev server, Lambda, Deno) routes
 * through this, so path parameters, request ids, the client IP and error answers are the same everywhere.
 * (Webhook functions limit per client IP only the requests that fail verification, so they apply it
 * themselves: functions/_shared/webhooks/webhook-handler.ts.)
 */
export function mountFunction(app: Hono, services: Services, definition: FunctionDefinition, handler: Handler, options: MountOptions = {}): void {
  for (const route of definition.routes) {
    app.on(route.method, toHonoPath(route.path), async (c) => {
      const requestId = requestIdOf(c.req.raw);
      const clientIp = options.clientIp?.(c, services.config);
      const ctx: Context = { ...services, params: c.req.param(), requestId, ...(clientIp ? { clientIp } : {}) };
      const response = await handler(c.req.raw, ctx);
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
