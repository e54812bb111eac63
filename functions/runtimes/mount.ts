import type { Hono } from "hono/tiny";
import type { Handler, Services } from "../_shared/context.ts";
import { problem } from "../_shared/http/responses.ts";
import { requestIdOf } from "../_shared/http/request-id.ts";
import type { FunctionDefinition } from "../manifest.ts";

/** `{param}` (manifest, API Gateway) → `:param` (Hono). */
export const toHonoPath = (path: string) => path.replace(/\{(\w+)\}/g, ":$1");

/**
 * Serves one function's manifest routes on a Hono app: every runtime (dev server, Lambda, Deno) routes
 * through this, so path parameters, request ids and error answers are the same everywhere.
 */
export function mountFunction(app: Hono, services: Services, definition: FunctionDefinition, handler: Handler): void {
  for (const route of definition.routes) {
    app.on(route.method, toHonoPath(route.path), async (c) => {
      const requestId = requestIdOf(c.req.raw);
      const response = await handler(c.req.raw, { ...services, params: c.req.param(), requestId });
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
