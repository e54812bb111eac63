import { CATALOG, type IntegrationKey, type RequiredField } from "../_shared/integrations/catalog.ts";
import { maskCredentials } from "../_shared/integrations/mask.ts";
import type { Integration } from "../_shared/integrations/store.ts";

/** What an admin sees of an integration: never a secret, only masked hints of what is stored. */
export interface IntegrationView {
  key: IntegrationKey;
  configured: boolean;
  enabled: boolean;
  credentials: Record<string, string | string[]>;
  settings: Record<string, unknown>;
  /** The fields enabling needs (`credentials.…`, `settings.…`): the config page marks them. */
  requiredToEnable: readonly RequiredField[];
  /** Where to point the provider's webhooks for this tenant. */
  webhookUrl: string;
  updatedAt: string | null;
}

export function integrationView(key: IntegrationKey, tenantId: string, appUrl: string, stored?: Integration): IntegrationView {
  return {
    key,
    configured: stored !== undefined,
    enabled: stored?.enabled ?? false,
    credentials: maskCredentials(stored?.credentials ?? {}),
    // Defaults filled in; settings saved under an older schema are shown as stored rather than failing.
    settings: (CATALOG[key].settings.safeParse(stored?.settings ?? {}).data ?? stored?.settings ?? {}) as Record<string, unknown>,
    requiredToEnable: CATALOG[key].requiredToEnable,
    webhookUrl: `${appUrl}/api/webhooks/${key}/${tenantId}`,
    updatedAt: stored?.updatedAt.toISOString() ?? null,
  };
}
