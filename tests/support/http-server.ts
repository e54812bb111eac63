import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { Services } from "../../functions/_shared/context.ts";
import { FUNCTIONS, type FunctionDefinition } from "../../functions/manifest.ts";
import { createApp } from "../../functions/runtimes/node/app.ts";

/** The dev server's app on a free loopback port: what a provider (or the simulator) reaches over real HTTP. */
export async function startTestServer(
  services: Services, functions: readonly FunctionDefinition[] = FUNCTIONS,
): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const app = await createApp(services, functions);
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    }),
  };
}
