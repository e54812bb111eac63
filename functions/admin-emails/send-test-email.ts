import * as z from "zod";
import type { Principal } from "../_shared/auth/principal.ts";
import { writeAudit } from "../_shared/audit.ts";
import type { Context } from "../_shared/context.ts";
import { EMAIL_KINDS } from "../_shared/domain/email/kinds.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { json } from "../_shared/http/responses.ts";
import { fieldErrors, validationProblem } from "../_shared/http/validation.ts";
import { SendGridError } from "../_shared/providers/sendgrid/errors.ts";
import { mailSendBody, type MailContent, type OutgoingEmail } from "../_shared/providers/sendgrid/mail-body.ts";
import { sendMail } from "../_shared/providers/sendgrid/send-mail.ts";
import { openTenantSendGrid } from "../_shared/providers/sendgrid/tenant-sendgrid.ts";

const testRequestSchema = z.strictObject({
  to: z.email("must be an email address").max(320),
  /** Which kind's template to try (default welcome); without a template for it, a plain-text test is sent. */
  kind: z.enum(EMAIL_KINDS, `must be one of ${EMAIL_KINDS.join(", ")}`).default("welcome"),
  /** Sample data for the template. */
  data: z.record(z.string(), z.unknown()).refine((d) => JSON.stringify(d).length <= 16 * 1024, "must be at most 16 KiB of JSON").default({}),
});

const PLAIN_TEST: MailContent = {
  subject: "Test email from your school's IPS integration",
  text: "This is a test email sent by an administrator from the IPS integrations page. If you can read it, your school's SendGrid integration sends email.",
};

async function recordTest(ctx: Context, email: OutgoingEmail, outcome: { providerMessageId: string | null } | { error: string }): Promise<void> {
  const sent = "providerMessageId" in outcome;
  // A test is answered at once and never retried: it is kept as sent, or dead with SendGrid's reason.
  await ctx.db.query(
    `insert into email_messages (id, tenant_id, kind, to_email, data, dedupe_key, status, attempts, last_error, provider_message_id, sent_at)
     values ($1, $2, $3, $4, $5::jsonb, $6, $7, 1, $8, $9, case when $7 = 'sent' then now() end)`,
    [email.id, email.tenantId, email.kind, email.to.email, JSON.stringify({ test: true }), `test:${email.id}`,
      sent ? "sent" : "dead", sent ? null : outcome.error, sent ? outcome.providerMessageId : null],
  );
}

/**
 * POST /api/admin/emails/test `{to, kind?, data?}` — sends one email now through the school's SendGrid, with
 * the kind's template when there is one, and answers SendGrid's verdict (a refused key or sender is a 502
 * naming SendGrid's error). Kept in the outbox list as a test; written to the audit log.
 */
export async function sendTestEmail(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const parsed = testRequestSchema.safeParse((await readJsonBody(req)) ?? {});
  if (!parsed.success) return validationProblem("Invalid test email", fieldErrors(parsed.error));
  const { to, kind, data } = parsed.data;

  const { account, settings } = await openTenantSendGrid(ctx, admin.tenantId);
  const email: OutgoingEmail = { id: crypto.randomUUID(), tenantId: admin.tenantId, kind, to: { email: to }, data };
  const usesTemplate = settings.templates?.[kind] !== undefined;
  const body = mailSendBody(email, settings, usesTemplate ? { template: true } : PLAIN_TEST);
  let accepted;
  try {
    accepted = await sendMail(account, body);
  } catch (error) {
    if (error instanceof SendGridError) await recordTest(ctx, email, { error: error.message });
    throw error;
  }
  await recordTest(ctx, email, { providerMessageId: accepted.providerMessageId });
  await writeAudit(ctx.db, {
    tenantId: admin.tenantId, actor: admin.userId, action: "email.test_sent", target: kind,
    details: { messageId: email.id, template: usesTemplate, sandbox: accepted.sandbox },
  });
  ctx.log.info("test email sent", { messageId: email.id, kind, sandbox: accepted.sandbox });
  return json({ id: email.id, status: "sent", kind, template: usesTemplate, sandbox: accepted.sandbox, providerMessageId: accepted.providerMessageId });
}
