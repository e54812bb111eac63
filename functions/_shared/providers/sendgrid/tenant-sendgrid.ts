import type { Services } from "../../context.ts";
import { CATALOG, type Settings } from "../../integrations/catalog.ts";
import { loadIntegration } from "../../integrations/store.ts";
import { sendgridApiBase } from "./api-base.ts";
import type { SendGridAccount } from "./request.ts";
import { SendGridSetupError } from "./setup-error.ts";

/** A tenant's SendGrid: the account to call and its parsed settings (sender, tracking, templates…). */
export interface TenantSendGrid {
  account: SendGridAccount;
  settings: Settings<"sendgrid">;
}

/**
 * The tenant's SendGrid, ready to send. Throws SendGridSetupError when the school has not enabled it, saved
 * no API key, or its stored settings no longer parse.
 * @example const { account, settings } = await openTenantSendGrid(ctx, tenantId);
 */
export async function openTenantSendGrid(
  services: Pick<Services, "db" | "vault" | "fetch" | "now" | "config">, tenantId: string,
): Promise<TenantSendGrid> {
  const integration = await loadIntegration(services.db, services.vault, tenantId, "sendgrid");
  if (!integration?.enabled) throw new SendGridSetupError("ERR_SENDGRID_NOT_ENABLED", "this school has not enabled its SendGrid integration");
  const apiKey = integration.credentials.apiKey;
  if (typeof apiKey !== "string" || !apiKey) throw new SendGridSetupError("ERR_SENDGRID_NO_API_KEY", "this school's SendGrid integration has no API key");
  const settings = CATALOG.sendgrid.settings.safeParse(integration.settings);
  if (!settings.success) throw new SendGridSetupError("ERR_SENDGRID_SETTINGS", "this school's SendGrid settings are invalid; an admin must save them again");
  return {
    account: {
      apiKey,
      apiBase: sendgridApiBase(services.config.providerBases.sendgridApi, settings.data.dataResidency),
      fetch: services.fetch,
      now: services.now,
    },
    settings: settings.data,
  };
}
