/** Why a tenant's SendGrid cannot send this email yet: the school's setup, not the request, must change. */
export type SendGridSetupCode =
  | "ERR_SENDGRID_NOT_ENABLED" | "ERR_SENDGRID_NO_API_KEY" | "ERR_SENDGRID_SETTINGS" | "ERR_SENDGRID_NO_FROM_EMAIL"
  | "ERR_SENDGRID_NO_TEMPLATE" | "ERR_SENDGRID_NO_UNSUBSCRIBE_GROUP";

/**
 * A SendGrid integration that cannot send (disabled, no key, no sender, no template for the kind, a
 * marketing email without an unsubscribe group). The message says which setting to fix.
 * @example throw new SendGridSetupError("ERR_SENDGRID_NO_FROM_EMAIL", "set fromEmail in the SendGrid settings");
 */
export class SendGridSetupError extends Error {
  override name = "SendGridSetupError";
  constructor(readonly code: SendGridSetupCode, message: string) {
    super(message);
  }
}
