/** What kind of failure a SendGrid call had; stable, for logs and problem codes. */
export type SendGridErrorCode =
  | "sendgrid_unauthorized" | "sendgrid_forbidden" | "sendgrid_bad_request" | "sendgrid_payload_too_large"
  | "sendgrid_rate_limited" | "sendgrid_server_error" | "sendgrid_unexpected_status" | "sendgrid_unreachable";

// SendGrid's messages do not quote keys today; this keeps it that way if one ever does.
const KEY_LIKE = /\bSG\.[\w.-]+/g;

/**
 * `text` with anything shaped like a SendGrid API key removed.
 * @example redactSendGridKeys("bad key SG.abc.def") // "bad key [redacted]"
 */
export function redactSendGridKeys(text: string): string {
  return text.replace(KEY_LIKE, "[redacted]");
}

/**
 * A SendGrid API call that failed: `status` is SendGrid's HTTP status (`null` when SendGrid could not be
 * reached or did not answer in time) and the message quotes SendGrid's own error messages
 * (`{"errors":[{"message","field"}]}`), never the key.
 * @example if (error instanceof SendGridError && error.code === "sendgrid_rate_limited") wait(error.retryAfterSeconds);
 */
export class SendGridError extends Error {
  override name = "SendGridError";
  constructor(
    readonly code: SendGridErrorCode,
    readonly status: number | null,
    message: string,
    /** Seconds until SendGrid's rate limit resets, when it said so. */
    readonly retryAfterSeconds?: number,
  ) {
    super(redactSendGridKeys(message));
  }
}

function codeFor(status: number): SendGridErrorCode {
  if (status === 401) return "sendgrid_unauthorized";
  if (status === 403) return "sendgrid_forbidden";
  if (status === 400) return "sendgrid_bad_request";
  if (status === 413) return "sendgrid_payload_too_large";
  if (status === 429) return "sendgrid_rate_limited";
  if (status >= 500) return "sendgrid_server_error";
  return "sendgrid_unexpected_status";
}

/** SendGrid's error messages from its `{"errors":[{"message","field"}]}` body ("from: The from address does not match…"). */
function messagesOf(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((e: { message?: unknown; field?: unknown } | null) => {
    if (typeof e?.message !== "string") return [];
    return [typeof e.field === "string" && e.field ? `${e.field}: ${e.message}` : e.message];
  }).slice(0, 5);
}

/** When SendGrid's rate limit resets: `X-RateLimit-Reset` is a unix time in seconds. */
function retryAfterOf(res: Response, nowSeconds: number): number | undefined {
  const reset = Number(res.headers.get("x-ratelimit-reset"));
  return Number.isFinite(reset) && reset > nowSeconds ? Math.min(reset - nowSeconds, 3600) : undefined;
}

/**
 * The SendGridError for a non-2xx answer, naming SendGrid's status and its own messages.
 * @example if (!res.ok) throw await sendgridErrorOf(res, Date.now() / 1000);
 */
export async function sendgridErrorOf(res: Response, nowSeconds: number): Promise<SendGridError> {
  const text = await res.text().catch(() => "");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const messages = messagesOf(body);
  const said = messages.length ? messages.join("; ") : `HTTP ${res.status}`;
  return new SendGridError(codeFor(res.status), res.status, `SendGrid answered ${res.status}: ${said}`, res.status === 429 ? retryAfterOf(res, nowSeconds) : undefined);
}
