// admin-email-suppressions: GET /api/admin/email-suppressions, DELETE /api/admin/email-suppressions/{email}
// A school's admin reads the addresses its mail no longer goes to (filled by the SendGrid Event Webhook:
// bounces, address drops, spam reports, unsubscribes) and removes one once the family fixed it. Only ever
// the admin's own tenant; every removal is audited.
import { adminHandler } from "../_shared/http/admin-handler.ts";
import { problem } from "../_shared/http/responses.ts";
import { listSuppressionsPage } from "./list.ts";
import { removeSuppression } from "./remove.ts";

export const handler = adminHandler("admin-email-suppressions", async (req, ctx, admin) => {
  const email = ctx.params.email;
  const allowed = email === undefined ? "GET" : "DELETE";
  if (req.method !== allowed) return problem({ status: 405, title: "Method not allowed", headers: { allow: allowed } });
  return email === undefined ? listSuppressionsPage(req, ctx, admin) : removeSuppression(email, ctx, admin);
});
