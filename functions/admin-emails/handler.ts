// admin-emails: GET /api/admin/emails, POST /api/admin/emails/test
// A school's admin reads its outbox (newest first, by status or kind) and sends a test email through its
// SendGrid. Only ever the admin's own tenant. SendGrid's errors are answered naming SendGrid's error,
// never the key.
import { adminHandler } from "../_shared/http/admin-handler.ts";
import { problem } from "../_shared/http/responses.ts";
import { sendgridErrorProblem } from "../_shared/providers/sendgrid/error-problem.ts";
import { listEmails } from "./list-emails.ts";
import { sendTestEmail } from "./send-test-email.ts";

export const handler = adminHandler("admin-emails", async (req, ctx, admin) => {
  // Matched on the end of the path: Supabase serves the same routes under /admin-emails/….
  const isTest = new URL(req.url).pathname.replace(/\/+$/, "").endsWith("/test");
  const allowed = isTest ? "POST" : "GET";
  if (req.method !== allowed) return problem({ status: 405, title: "Method not allowed", headers: { allow: allowed } });
  return isTest ? sendTestEmail(req, ctx, admin) : listEmails(req, ctx, admin);
}, { errorProblems: [sendgridErrorProblem] });
