import { sendgridRequest, type SendGridAccount } from "./request.ts";

/** What SendGrid said when it took an email. */
export interface MailAccepted {
  /** `X-Message-Id`: the start of every event's `sg_message_id` for this email (none in sandbox mode). */
  providerMessageId: string | null;
  /** Sandbox mode answers 200 and delivers nothing; a real send answers 202. */
  sandbox: boolean;
}

/**
 * `POST /v3/mail/send` with a body from `mailSendBody`. Throws SendGridError when SendGrid refuses it or
 * cannot be reached.
 * @example const { providerMessageId } = await sendMail(account, mailSendBody(email, settings));
 */
export async function sendMail(account: SendGridAccount, body: Record<string, unknown>): Promise<MailAccepted> {
  const res = await sendgridRequest(account, "POST", "/v3/mail/send", body);
  await res.body?.cancel();
  return { providerMessageId: res.headers.get("x-message-id") || null, sandbox: res.status === 200 };
}
