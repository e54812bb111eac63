import { TRANSACTIONAL_KINDS, UNTRACKED_KINDS, type EmailKind } from "../../domain/email/kinds.ts";
import type { Settings } from "../../integrations/catalog.ts";
import { CUSTOM_ARG_MESSAGE_ID, CUSTOM_ARG_TENANT_ID } from "./custom-args.ts";
import { SendGridSetupError } from "./setup-error.ts";

/** One email to send, as the outbox holds it. */
export interface OutgoingEmail {
  /** Our `email_messages.id`: sent as `custom_args`, which SendGrid echoes on every event about it. */
  id: string;
  tenantId: string;
  kind: EmailKind;
  to: { email: string; name?: string | null };
  data: Record<string, unknown>;
}

/** What the email shows: the kind's dynamic template, or (for an admin's test without one) plain text. */
export type MailContent = { template: true } | { subject: string; text: string };

/**
 * The `POST /v3/mail/send` body for an email (PROVIDERS.md): the kind's dynamic template from
 * `settings.templates` with the message's data, the school's sender, sandbox mode and tracking (always off
 * for UNTRACKED_KINDS), an unsubscribe group for `marketing`, past SendGrid's global unsubscribe list for
 * TRANSACTIONAL_KINDS, and our ids in `custom_args`. Throws SendGridSetupError when a setting it needs is missing.
 * @example await sendMail(account, mailSendBody(email, settings));
 */
export function mailSendBody(email: OutgoingEmail, settings: Settings<"sendgrid">, content: MailContent = { template: true }): Record<string, unknown> {
  if (!settings.fromEmail) throw new SendGridSetupError("ERR_SENDGRID_NO_FROM_EMAIL", "set fromEmail in the SendGrid settings (a verified sender)");
  const templateId = settings.templates?.[email.kind];
  if ("template" in content && !templateId) {
    throw new SendGridSetupError("ERR_SENDGRID_NO_TEMPLATE", `set templates.${email.kind} in the SendGrid settings (a dynamic template id, d-…)`);
  }
  if (email.kind === "marketing" && settings.unsubscribeGroupId === undefined) {
    throw new SendGridSetupError("ERR_SENDGRID_NO_UNSUBSCRIBE_GROUP", "set unsubscribeGroupId in the SendGrid settings: marketing emails must offer an unsubscribe");
  }
  const to = { email: email.to.email, ...(email.to.name ? { name: email.to.name } : {}) };
  // A password-reset link rewritten through the tracking domain is a login link in someone else's logs.
  const tracked = !UNTRACKED_KINDS.has(email.kind);
  const clickTracking = tracked && settings.clickTracking;
  // SendGrid drops every send to an address on its global unsubscribe list ("unsubscribe from all"), so a
  // family that clicked it would lose its receipts and contracts too. This filter passes that list only:
  // group unsubscribes, bounces and spam reports still stop the mail, and marketing never gets it. Not
  // bypass_list_management, which would pass bounces and spam reports too, and which SendGrid refuses next to
  // any other bypass filter, even one set false (Mail Settings → Bypass, sendgrid/docs
  // `content/docs/ui/account-and-settings/mail.md`; sendgrid/docs#6549).
  const bypassGlobalUnsubscribe = TRANSACTIONAL_KINDS.has(email.kind);
  return {
    personalizations: [
      "template" in content ? { to: [to], dynamic_template_data: email.data } : { to: [to], subject: content.subject },
    ],
    from: { email: settings.fromEmail, ...(settings.fromName ? { name: settings.fromName } : {}) },
    ...("template" in content ? { template_id: templateId } : { content: [{ type: "text/plain", value: content.text }] }),
    ...(email.kind === "marketing" ? { asm: { group_id: settings.unsubscribeGroupId } } : {}),
    categories: [email.kind],
    custom_args: { [CUSTOM_ARG_MESSAGE_ID]: email.id, [CUSTOM_ARG_TENANT_ID]: email.tenantId },
    mail_settings: {
      sandbox_mode: { enable: settings.sandboxMode },
      ...(bypassGlobalUnsubscribe ? { bypass_unsubscribe_management: { enable: true } } : {}),
    },
    tracking_settings: {
      click_tracking: { enable: clickTracking, enable_text: clickTracking },
      open_tracking: { enable: tracked && settings.openTracking },
    },
  };
}
