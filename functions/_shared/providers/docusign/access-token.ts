import { fetchDocuSign, retryAfterOf } from "./docusign-fetch.ts";
import { DocuSignApiError, DocuSignConsentRequiredError } from "./errors.ts";
import { signJwtAssertion } from "./jwt-assertion.ts";
import type { Expiring } from "./expiring-cache.ts";
import { consentUrl } from "./oauth-host.ts";
import { importRsaSigningKey } from "./private-key.ts";

/** A DocuSign access token (1 h, no refresh token) and when to ask for the next one. */
export type AccessToken = Expiring<string>;

/** Renew this long before expiry, so a token never runs out between being read and being used. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

// What DocuSign's JWT-grant errors usually mean, in the words an admin needs (its `error_description`).
const GRANT_HINTS: Record<string, string> = {
  no_valid_keys_or_signatures: "the RSA private key is not one of this integration key's key pairs",
  user_not_found: "the user id is not a user of this DocuSign environment (demo and production differ)",
  issuer_not_found: "the integration key does not exist in this DocuSign environment (demo and production differ)",
  invalid_request: "DocuSign could not read the assertion (check the integration key and user id)",
};

export interface AccessTokenRequest {
  fetch: typeof fetch;
  /** `https://account-d.docusign.com`, or `DOCUSIGN_OAUTH_BASE`. */
  oauthBase: string;
  /** The environment's account host: the assertion's audience. */
  audience: string;
  integrationKey: string;
  userId: string;
  rsaPrivateKey: string;
  nowMs: number;
  /** Where DocuSign returns the browser after consent (for the consent URL in `consent_required`). */
  consentRedirectUri: string;
}

/**
 * Exchanges a signed assertion for an access token (`POST {oauthBase}/oauth/token`, grant type
 * jwt-bearer). `consent_required` → `DocuSignConsentRequiredError` with the consent URL; any other refusal
 * → `DocuSignApiError` naming DocuSign's `error`; an unreadable private key → `DocuSignSetupError`.
 * @example const token = await requestAccessToken({ fetch, oauthBase, audience, integrationKey, userId, rsaPrivateKey, nowMs, consentRedirectUri });
 */
export async function requestAccessToken(request: AccessTokenRequest): Promise<AccessToken> {
  const assertion = await signJwtAssertion({
    integrationKey: request.integrationKey,
    userId: request.userId,
    audience: request.audience,
    key: await importRsaSigningKey(request.rsaPrivateKey),
    nowSeconds: Math.floor(request.nowMs / 1000),
  });
  const answer = await fetchDocuSign(request.fetch, `${request.oauthBase}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }).toString(),
  });
  const body = (answer.body ?? {}) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };

  if (!answer.ok) {
    const error = typeof body.error === "string" ? body.error : `http_${answer.status}`;
    if (error === "consent_required") {
      throw new DocuSignConsentRequiredError(consentUrl(request.oauthBase, request.integrationKey, request.consentRedirectUri), answer.status);
    }
    const description = typeof body.error_description === "string" ? body.error_description : "";
    const hint = GRANT_HINTS[description] ?? GRANT_HINTS[error];
    const message = `DocuSign refused the JWT grant${description ? ` (${description})` : ""}${hint ? `: ${hint}` : ""}`;
    throw new DocuSignApiError("oauth", error, answer.status, message, retryAfterOf(answer.status, answer.headers));
  }
  if (typeof body.access_token !== "string" || !body.access_token) {
    throw new DocuSignApiError("oauth", "unexpected_response", answer.status, "DocuSign's token answer had no access_token");
  }
  const lifetimeMs = (typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 3600) * 1000;
  // A short-lived token (a stand-in's) is renewed half-way rather than on every call.
  return { value: body.access_token, renewAt: request.nowMs + Math.max(lifetimeMs - RENEW_BEFORE_EXPIRY_MS, lifetimeMs / 2) };
}
