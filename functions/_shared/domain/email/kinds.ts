/**
 * The emails the platform sends; each has its own SendGrid dynamic template (integration setting `templates`).
 * @example z.enum(EMAIL_KINDS)
 */
export const EMAIL_KINDS = [
  "welcome", "password_reset", "payment_confirmation", "contract_notification", "marketing", "payment_action_required",
  "payment_failed",
] as const;

export type EmailKind = (typeof EMAIL_KINDS)[number];

/**
 * Mail a family needs whatever they opted out of — an account, a payment, a contract: it still goes to an
 * address that only unsubscribed from marketing (a bounce or spam report stops every kind). SendGrid is told
 * so too: their Mail Send body passes its global unsubscribe list (`bypass_unsubscribe_management`), which it
 * would otherwise enforce on every send. Other kinds (`welcome`, `marketing`) follow every suppression.
 */
export const TRANSACTIONAL_KINDS: ReadonlySet<EmailKind> = new Set<EmailKind>([
  "password_reset", "payment_confirmation", "payment_action_required", "payment_failed", "contract_notification",
]);

/** Kinds sent with click and open tracking off whatever the school set: their links must reach the family unrewritten. */
export const UNTRACKED_KINDS: ReadonlySet<EmailKind> = new Set<EmailKind>(["password_reset"]);

/**
 * The outbox states (`email_messages.status`); `sending` is a claimed message under a lease, `suppressed`
 * one never sent because its address is on the tenant's `email_suppressions` list.
 */
export type EmailStatus = "queued" | "sending" | "sent" | "failed" | "dead" | "suppressed";
