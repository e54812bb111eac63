import { Hono } from "hono";
import type { Services } from "../../_shared/context.ts";
import { problem } from "../../_shared/http/responses.ts";
import { requestIdOf } from "../../_shared/http/request-id.ts";
import type { FunctionDefinition } from "../../manifest.ts";

/** `{param}` (manifest, API Gateway) → `:param` (Hono). */
export const toHonoPath = (path: string) => path.replace(/\{(\w+)\}/g, ":$1");

/**
 * One Hono app serving every manifest function with the same handlers Lambda and Deno run: used by the
 * dev server, the end-to-end tests and the benchmarks.
 * @example const app = await createApp(services, FUNCTIONS); serve({ fetch: app.fetch, port: 3000 });
 */
export async function createApp(services: Services, functions: readonly FunctionDefinition[]): Promise<Hono> {
  const app = new Hono();
  for (const fn of functions) {
    const { handler } = await fn.load();
    for (const route of fn.routes) {
      app.on(route.method, toHonoPath(route.path), async (c) => {
        const requestId = requestIdOf(c.req.raw);
        const response = await handler(c.req.raw, { ...services, params: c.req.param(), requestId });
        response.headers.set("x-request-id", requestId);
        return response;
      });
    }
  }
  app.notFound(() => problem({ status: 404, title: "Not found" }));
  app.onError((error) => {
    services.log.error("unhandled error in route", { error: error.name });
    return problem({ status: 500, title: "Internal error" });
  });
  return app;
}
