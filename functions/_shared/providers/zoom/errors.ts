/** Which leg of a Zoom call failed: getting the app's token, or the API call itself. */
export type ZoomCallStage = "oauth" | "api";

/**
 * A Zoom call that did not succeed: Zoom's HTTP status (0 when Zoom was not reached), Zoom's own error code
 * (`124`, `3001`, `4711`, or OAuth's `invalid_client`) and message — with every credential of the call
 * removed, so the error can be logged and shown as it is.
 * @example if (error instanceof ZoomApiError && error.status === 404) { ... }
 */
export class ZoomApiError extends Error {
  override name = "ZoomApiError";
  readonly status: number;
  readonly stage: ZoomCallStage;
  readonly code: string;
  readonly zoomMessage: string;
  /** Zoom's `Retry-After` (seconds) on a 429, when it sent one. */
  readonly retryAfter: string | undefined;

  constructor(fields: { status: number; stage: ZoomCallStage; code: string; zoomMessage: string; retryAfter?: string | undefined }) {
    super(`Zoom ${fields.stage} ${fields.status || "unreachable"} ${fields.code}: ${fields.zoomMessage}`);
    this.status = fields.status;
    this.stage = fields.stage;
    this.code = fields.code;
    this.zoomMessage = fields.zoomMessage;
    this.retryAfter = fields.retryAfter;
  }
}

const MAX_MESSAGE_LENGTH = 300;

/**
 * `text` with each of `secrets` (the call's client id and secret, account id, access token) replaced, and
 * cut to a length that fits a log line. Zoom's messages rarely quote a credential; this makes sure.
 * @example redactSecrets("Invalid client_id: abc123", ["abc123"]) // "Invalid client_id: [redacted]"
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret containing another is removed whole. Very short values are skipped: they
  // would blank out ordinary words and are not credentials.
  for (const secret of [...secrets].filter((s) => s.length >= 6).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join("[redacted]");
  }
  return out.length > MAX_MESSAGE_LENGTH ? `${out.slice(0, MAX_MESSAGE_LENGTH)}…` : out;
}

/**
 * Zoom's answer for a user id (here: an email) that is not a user of the account: 404 with code 1001
 * ("User does not exist: …") on `/v2/users/{userId}/…` (developers.zoom.us/docs/api/errors, Users API).
 * @example if (isUnknownZoomUser(error)) throw new ProblemError({ status: 400, errors: { hostEmail: [...] } });
 */
export function isUnknownZoomUser(error: unknown): error is ZoomApiError {
  return error instanceof ZoomApiError && error.stage === "api" && error.code === "1001";
}
