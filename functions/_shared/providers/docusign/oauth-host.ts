/** DocuSign's account server per environment: the JWT audience, and the OAuth host unless overridden. */
export const OAUTH_HOSTS = {
  demo: "account-d.docusign.com",
  production: "account.docusign.com",
} as const;

export type DocuSignEnvironment = keyof typeof OAUTH_HOSTS;

/**
 * Where OAuth requests go: `DOCUSIGN_OAUTH_BASE` when set (a local stand-in), else the environment's host.
 * The JWT audience stays the environment's host either way.
 * @example oauthBaseOf("demo", undefined) // "https://account-d.docusign.com"
 */
export function oauthBaseOf(environment: DocuSignEnvironment, override: string | undefined): string {
  return override ?? `https://${OAUTH_HOSTS[environment]}`;
}

/**
 * The page where the DocuSign user grants this integration key consent to impersonate it ("signature
 * impersonation"); DocuSign returns the browser to `redirectUri`, which must be one of the key's redirect URIs.
 * @example consentUrl("https://account-d.docusign.com", integrationKey, "https://school.example/admin/config/integrations")
 */
export function consentUrl(oauthBase: string, integrationKey: string, redirectUri: string): string {
  const query = new URLSearchParams({ response_type: "code", scope: "signature impersonation", client_id: integrationKey, redirect_uri: redirectUri });
  // URLSearchParams writes the space as "+": `scope=signature+impersonation`, as DocuSign documents it.
  return `${oauthBase}/oauth/auth?${query.toString()}`;
}
