import type { Context } from "../../context.ts";
import { ProblemError } from "../../http/problem-error.ts";
import { CATALOG, type Settings } from "../../integrations/catalog.ts";
import { loadIntegration, type Integration } from "../../integrations/store.ts";
import type { ZoomAppCredentials } from "./access-token.ts";
import { createZoomClient, type ZoomClient } from "./client.ts";

const APP_FIELDS = ["accountId", "clientId", "clientSecret"] as const;

/** A tenant's Zoom: an API client on its Server-to-Server OAuth app and its settings. */
export interface TenantZoom {
  client: ZoomClient;
  settings: Settings<"zoom">;
}

const notSetUp = (code: string, detail: string) => new ProblemError({ status: 409, title: "Zoom is not set up", code, detail });

/**
 * The tenant's Zoom integration when it is enabled; a 409 `ProblemError` otherwise (the request is fine,
 * the school's setup is not).
 * @example const integration = await enabledZoomIntegration(ctx, user.tenantId);
 */
export async function enabledZoomIntegration(ctx: Context, tenantId: string): Promise<Integration> {
  const integration = await loadIntegration(ctx.db, ctx.vault, tenantId, "zoom");
  if (!integration?.enabled) throw notSetUp("ERR_ZOOM_NOT_ENABLED", "this school has not enabled its Zoom integration");
  return integration;
}

/** The Server-to-Server OAuth app's credentials, or the names of those missing. */
export function zoomAppCredentials(credentials: Record<string, unknown>): { ok: true; app: ZoomAppCredentials } | { ok: false; missing: string[] } {
  const missing = APP_FIELDS.filter((field) => typeof credentials[field] !== "string" || !credentials[field]);
  if (missing.length) return { ok: false, missing };
  const { accountId, clientId, clientSecret } = credentials as Record<(typeof APP_FIELDS)[number], string>;
  return { ok: true, app: { accountId, clientId, clientSecret } };
}

/**
 * The tenant's Zoom, ready for API calls. Throws a 409 `ProblemError` when the school has not enabled
 * Zoom, saved no Server-to-Server OAuth app, or has settings that no longer validate.
 * @example const { client, settings } = await openTenantZoom(ctx, admin.tenantId);
 */
export async function openTenantZoom(ctx: Context, tenantId: string): Promise<TenantZoom> {
  return tenantZoomOf(ctx, await enabledZoomIntegration(ctx, tenantId));
}

/**
 * The Zoom of an integration already loaded (by enabledZoomIntegration), so a request that needs both its
 * Meeting SDK credentials and its API reads and decrypts it once. Throws a 409 `ProblemError` when it has
 * no Server-to-Server OAuth app or settings that no longer validate.
 * @example const { client } = tenantZoomOf(ctx, await enabledZoomIntegration(ctx, user.tenantId));
 */
export function tenantZoomOf(ctx: Context, integration: Integration): TenantZoom {
  const { tenantId } = integration;
  const app = zoomAppCredentials(integration.credentials);
  if (!app.ok) {
    throw notSetUp("ERR_ZOOM_NO_APP_CREDENTIALS", `this school's Zoom integration has no ${app.missing.join(", ")} (a Server-to-Server OAuth app)`);
  }
  const settings = CATALOG.zoom.settings.safeParse(integration.settings);
  if (!settings.success) throw notSetUp("ERR_ZOOM_SETTINGS", "this school's Zoom settings are invalid; an admin must save them again");
  return {
    client: createZoomClient({
      tenantId, credentials: app.app, fetch: ctx.fetch, now: ctx.now,
      oauthBase: ctx.config.providerBases.zoomOauth, apiBase: ctx.config.providerBases.zoomApi,
    }),
    settings: settings.data,
  };
}
