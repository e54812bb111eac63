import type { ConnectionTester } from "../connection-test.ts";
import { CATALOG } from "../../integrations/catalog.ts";
import { createDocuSignClient } from "./client.ts";
import { DocuSignApiError, DocuSignConsentRequiredError, DocuSignSetupError } from "./errors.ts";
import { consentRedirectUriOf, docusignCredentialsOf } from "./tenant-docusign.ts";

/**
 * DocuSign's connection test: a JWT grant and `/oauth/userinfo`, reporting the account calls will go to (the
 * configured one, else the user's default) and its base URI — or, when the user has not granted consent
 * yet, the consent URL to open. Uses a fresh token, never a cached one: the credentials under test may
 * have just changed. Never returns a credential.
 */
export const testDocuSignConnection: ConnectionTester = async ({ tenantId, credentials, settings, ctx }) => {
  const parsedSettings = CATALOG.docusign.settings.safeParse(settings);
  if (!parsedSettings.success) return { ok: false, error: "the DocuSign settings are invalid", code: "invalid_settings" };
  try {
    const client = createDocuSignClient({
      tenantId,
      credentials: docusignCredentialsOf(credentials),
      environment: parsedSettings.data.environment,
      fetch: ctx.fetch,
      now: ctx.now,
      oauthBase: ctx.config.providerBases.docusignOauth,
      apiBase: ctx.config.providerBases.docusignApi,
      consentRedirectUri: consentRedirectUriOf(ctx.config.appUrl),
      cache: false,
    });
    const account = await client.account();
    return {
      ok: true,
      details: { environment: parsedSettings.data.environment, accountId: account.accountId, accountName: account.accountName, baseUri: account.baseUri },
    };
  } catch (error) {
    if (error instanceof DocuSignConsentRequiredError) {
      return {
        ok: false, code: "consent_required", details: { consentUrl: error.consentUrl },
        error: "the DocuSign user has not granted consent to this integration key: open consentUrl signed in as that user",
      };
    }
    if (error instanceof DocuSignSetupError) return { ok: false, error: error.message, code: error.code };
    if (error instanceof DocuSignApiError) {
      return { ok: false, error: error.source === "connection" ? "DocuSign could not be reached" : `DocuSign answered ${error.errorCode}: ${error.message}`, code: error.errorCode };
    }
    throw error;
  }
};
