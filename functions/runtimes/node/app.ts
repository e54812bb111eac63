import { Hono } from "hono";
import type { Handler, Services } from "../../_shared/context.ts";
import type { FunctionDefinition } from "../../manifest.ts";
import { mountFunction, withProblemFallbacks } from "../mount.ts";
import { mountAdminPage } from "./admin-page.ts";
import type { AdminPageAuthConfig } from "./admin-page-config.ts";
import { nodeClientIp } from "./client-ip.ts";
import { mountStudentPages } from "./student-pages.ts";

/** A function's handler, by the folder convention: `functions/<slug>/handler.ts` exports `handler`. */
export async function loadHandler(slug: string): Promise<Handler> {
  const module = (await import(new URL(`../../${slug}/handler.ts`, import.meta.url).href)) as { handler?: Handler };
  if (typeof module.handler !== "function") throw new Error(`functions/${slug}/handler.ts does not export a handler`);
  return module.handler;
}

export interface AppOptions {
  /** How the config page signs in; default: neither Supabase (no anon key known here) nor the dev sign-in. */
  adminPage?: AdminPageAuthConfig;
}

/**
 * One Hono app serving every manifest function with the same handlers Lambda and Deno run, the student
 * payment page (web/pay) and the admin config page (web/admin): used by the dev server, the end-to-end
 * tests and the benchmarks.
 * @example const app = await createApp(services, FUNCTIONS); serve({ fetch: app.fetch, port: 3000 });
 */
export async function createApp(services: Services, functions: readonly FunctionDefinition[], options: AppOptions = {}): Promise<Hono> {
  const app = new Hono();
  for (const fn of functions) mountFunction(app, services, fn, await loadHandler(fn.slug), { clientIp: nodeClientIp });
  mountStudentPages(app);
  mountAdminPage(app, options.adminPage ?? { supabaseUrl: services.config.supabaseUrl ?? null, supabaseAnonKey: null, devSignIn: false });
  return withProblemFallbacks(app, services);
}
