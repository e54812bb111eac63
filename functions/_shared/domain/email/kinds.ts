/**
 * The emails the platform sends; each has its own SendGrid dynamic template (integration setting `templates`).
 * @example z.enum(EMAIL_KINDS)
 */
export const EMAIL_KINDS = ["welcome", "password_reset", "payment_confirmation", "contract_notification", "marketing"] as const;

export type EmailKind = (typeof EMAIL_KINDS)[number];

/** The outbox states (`email_messages.status`); `sending` is a claimed message under a lease. */
export type EmailStatus = "queued" | "sending" | "sent" | "failed" | "dead";
