/**
 * The school's DocuSign set-up is incomplete or unusable on our side (no integration, a credential missing,
 * a private key that is not one, no template chosen): answered 409, the request itself was fine. The
 * message names fields, never their values.
 */
export class DocuSignSetupError extends Error {
  override name = "DocuSignSetupError";
  constructor(
    readonly code:
      | "ERR_DOCUSIGN_NOT_CONFIGURED"
      | "ERR_DOCUSIGN_NOT_ENABLED"
      | "ERR_DOCUSIGN_CREDENTIALS"
      | "ERR_DOCUSIGN_SETTINGS"
      | "ERR_DOCUSIGN_PRIVATE_KEY"
      | "ERR_DOCUSIGN_ACCOUNT"
      | "ERR_DOCUSIGN_NO_TEMPLATE",
    message: string,
  ) {
    super(message);
  }
}

/** Where a DocuSign failure came from: the OAuth host (token, userinfo), the eSignature REST API, or the network. */
export type DocuSignErrorSource = "oauth" | "api" | "connection";

// DocuSign's messages do not quote credentials, but a bearer token or an assertion (JWTs) must never be
// echoed even if one ever did.
const JWT_LIKE = /\beyJ[\w-]+\.[\w-]+\.[\w-]*/g;
const MAX_MESSAGE = 300;

/**
 * DocuSign's message made safe to show: JWT-like strings removed, length bounded.
 * @example safeDocuSignMessage("bad token eyJ0eXAi.eyJzdWIi.c2ln") // "bad token [redacted]"
 */
export function safeDocuSignMessage(message: string): string {
  return message.replace(JWT_LIKE, "[redacted]").slice(0, MAX_MESSAGE);
}

/**
 * DocuSign answered with an error, or could not be reached. `errorCode` is DocuSign's own: the REST API's
 * `errorCode` (`TEMPLATE_ID_INVALID`), the OAuth `error` (`invalid_grant`), or `connection_error`.
 */
export class DocuSignApiError extends Error {
  override name = "DocuSignApiError";
  constructor(
    readonly source: DocuSignErrorSource,
    readonly errorCode: string,
    /** DocuSign's HTTP status; `null` when no answer came. */
    readonly httpStatus: number | null,
    message: string,
    /** Seconds, when DocuSign rate-limited us and said how long to wait. */
    readonly retryAfterSeconds?: number,
  ) {
    super(safeDocuSignMessage(message));
  }

  /** `docusign_api_error: TEMPLATE_ID_INVALID` — the problem `code` an admin can search DocuSign's docs for. */
  get problemCode(): string {
    return this.source === "connection" ? "docusign_connection_error" : `docusign_${this.source}_error: ${this.errorCode}`;
  }
}

/**
 * The DocuSign user has not granted this integration key consent to impersonate it (JWT grant
 * `consent_required`). An admin signed in as that user opens `consentUrl` once and grants it.
 */
export class DocuSignConsentRequiredError extends DocuSignApiError {
  override name = "DocuSignConsentRequiredError";
  constructor(readonly consentUrl: string, httpStatus: number) {
    super("oauth", "consent_required", httpStatus, "the DocuSign user has not granted consent to this integration key yet");
  }
}
