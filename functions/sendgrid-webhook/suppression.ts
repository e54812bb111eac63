import type { Suppression } from "../_shared/domain/email/suppressions.ts";
import type { SendGridEvent } from "../_shared/verify/sendgrid.ts";

const MAX_DETAIL_LENGTH = 500;
const MAX_EMAIL_LENGTH = 320;
// Loose on purpose (SendGrid already delivered to it): one @ with something on both sides, no spaces or
// control characters — enough that the row's checks (lower-case, 3–320 characters) always hold.
const ADDRESS = /^[^@\s\u0000-\u001f]+@[^@\s\u0000-\u001f]+$/u;

// SendGrid's drop reasons that are about the address (sendgrid/docs `event.md`): the address bounced before,
// reported spam, is invalid, or unsubscribed. Others (an invalid SMTPAPI header, spam content, a quota)
// are about the message or the account: the next message to the address may well go, so they suppress nothing.
const ADDRESS_DROPS: ReadonlyArray<{ pattern: RegExp; scope: Suppression["scope"] }> = [
  { pattern: /^bounced address$/i, scope: "all" },
  { pattern: /^spam reporting address$/i, scope: "all" },
  { pattern: /^invalid( address)?$/i, scope: "all" },
  { pattern: /^unsubscribed address$/i, scope: "marketing" },
];

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() ? value.trim() : null);

/**
 * What a SendGrid event puts on the tenant's suppression list, or null: a hard `bounce` (not a `blocked`
 * one — a block is the receiving server refusing for now, and SendGrid does not suppress it either), an
 * address `dropped` for an address reason, a `spamreport` (scope `all`); an `unsubscribe` or
 * `group_unsubscribe` (scope `marketing`: the family still gets its transactional mail, which for a global
 * `unsubscribe` holds only because those kinds are sent past SendGrid's global list, see mailSendBody).
 */
export function suppressionOf(tenantId: string, event: SendGridEvent): Suppression | null {
  const email = text(event.email)?.toLowerCase();
  if (!email || email.length > MAX_EMAIL_LENGTH || !ADDRESS.test(email)) return null;
  const detail = (text(event.reason) ?? text(event.response))?.slice(0, MAX_DETAIL_LENGTH) ?? null;
  const row = (reason: Suppression["reason"], scope: Suppression["scope"]): Suppression => ({ tenantId, email, reason, scope, detail });
  switch (event.event) {
    case "bounce":
      return event.type === "blocked" ? null : row("bounce", "all");
    case "dropped": {
      const drop = detail ? ADDRESS_DROPS.find(({ pattern }) => pattern.test(detail)) : undefined;
      return drop ? row("dropped", drop.scope) : null;
    }
    case "spamreport":
      return row("spamreport", "all");
    case "unsubscribe":
      return row("unsubscribe", "marketing");
    case "group_unsubscribe":
      return row("group_unsubscribe", "marketing");
    default:
      return null;
  }
}
