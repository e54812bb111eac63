/** Stable codes for every way a webhook can fail verification; tests and handlers branch on these, not messages. */
export type WebhookVerificationCode =
  | "ERR_WEBHOOK_MISSING_HEADER"
  | "ERR_WEBHOOK_TIMESTAMP"
  | "ERR_WEBHOOK_SIGNATURE"
  | "ERR_WEBHOOK_PAYLOAD";

/**
 * Why a webhook request was not accepted. `ERR_WEBHOOK_PAYLOAD` means the signature was valid but the body is
 * not what the provider documents (e.g. malformed JSON): a 400, not a 401.
 * @example
 * try { await verifyStripe(input) } catch (e) { if (e instanceof WebhookVerificationError) log(e.code) }
 */
export class WebhookVerificationError extends Error {
  override name = "WebhookVerificationError";
  constructor(
    readonly code: WebhookVerificationCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
