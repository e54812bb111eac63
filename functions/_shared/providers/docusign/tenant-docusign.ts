import type { Context } from "../../context.ts";
import { CATALOG, type Settings } from "../../integrations/catalog.ts";
import { loadIntegration } from "../../integrations/store.ts";
import { createDocuSignClient, type DocuSignClient, type DocuSignCredentials } from "./client.ts";
import { DocuSignSetupError } from "./errors.ts";

/** A school's DocuSign: a client acting as its DocuSign user, and its settings (environment, template, role). */
export interface TenantDocuSign {
  client: DocuSignClient;
  settings: Settings<"docusign">;
}

/**
 * The page an admin lands on after granting consent: register it as a redirect URI of the integration key.
 * @example consentRedirectUriOf("https://school.example") // "https://school.example/admin/config/integrations"
 */
export const consentRedirectUriOf = (appUrl: string) => `${appUrl}/admin/config/integrations`;

const REQUIRED_CREDENTIALS = ["integrationKey", "userId", "rsaPrivateKey"] as const;

/**
 * The credentials a JWT grant needs, or `DocuSignSetupError` naming the missing fields (never a value).
 * @example const credentials = docusignCredentialsOf(integration.credentials);
 */
export function docusignCredentialsOf(credentials: Record<string, unknown>): DocuSignCredentials {
  const missing = REQUIRED_CREDENTIALS.filter((field) => typeof credentials[field] !== "string" || !credentials[field]);
  if (missing.length > 0) {
    throw new DocuSignSetupError("ERR_DOCUSIGN_CREDENTIALS", `the DocuSign integration has no ${missing.join(", ")}`);
  }
  const accountId = typeof credentials.accountId === "string" && credentials.accountId ? credentials.accountId : undefined;
  return {
    integrationKey: credentials.integrationKey as string,
    userId: credentials.userId as string,
    rsaPrivateKey: credentials.rsaPrivateKey as string,
    accountId,
  };
}

/**
 * The tenant's DocuSign, ready for outbound calls. `requireEnabled`: sending a contract needs the
 * integration enabled; listing templates and a test send work as soon as credentials are saved, so an
 * admin can check the set-up before enabling it. Throws `DocuSignSetupError` (409) otherwise.
 * @example const { client, settings } = await openTenantDocuSign(ctx, admin.tenantId, { requireEnabled: true });
 */
export async function openTenantDocuSign(ctx: Context, tenantId: string, options: { requireEnabled: boolean }): Promise<TenantDocuSign> {
  const integration = await loadIntegration(ctx.db, ctx.vault, tenantId, "docusign");
  if (!integration) throw new DocuSignSetupError("ERR_DOCUSIGN_NOT_CONFIGURED", "this school has not configured DocuSign");
  if (options.requireEnabled && !integration.enabled) {
    throw new DocuSignSetupError("ERR_DOCUSIGN_NOT_ENABLED", "this school's DocuSign integration is disabled");
  }
  const settings = CATALOG.docusign.settings.safeParse(integration.settings);
  if (!settings.success) {
    throw new DocuSignSetupError("ERR_DOCUSIGN_SETTINGS", "this school's DocuSign settings are invalid; an admin must save them again");
  }
  return {
    client: createDocuSignClient({
      tenantId,
      credentials: docusignCredentialsOf(integration.credentials),
      environment: settings.data.environment,
      fetch: ctx.fetch,
      now: ctx.now,
      oauthBase: ctx.config.providerBases.docusignOauth,
      apiBase: ctx.config.providerBases.docusignApi,
      consentRedirectUri: consentRedirectUriOf(ctx.config.appUrl),
    }),
    settings: settings.data,
  };
}
