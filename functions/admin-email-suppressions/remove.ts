import * as z from "zod";
import { writeAudit } from "../_shared/audit.ts";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { deleteSuppression } from "../_shared/domain/email/suppressions.ts";
import { json, problem } from "../_shared/http/responses.ts";
import { validationProblem } from "../_shared/http/validation.ts";
import { suppressionView } from "./view.ts";

const emailSchema = z.email("must be an email address").max(320);

/**
 * DELETE /api/admin/email-suppressions/{email} — takes an address off the tenant's list (the family fixed
 * its mailbox or asked for mail again), audited with what was removed; 404 when it is not on the list.
 * Messages already `suppressed` stay so; the next one is sent. `param` arrives decoded (runtimes/mount.ts
 * reads it with hono's `c.req.param()`), so it is never decoded again: `%` may be part of an address.
 * @example DELETE /api/admin/email-suppressions/parent%40example.com
 */
export async function removeSuppression(param: string, ctx: Context, admin: Principal): Promise<Response> {
  const parsed = emailSchema.safeParse(param.trim());
  if (!parsed.success) return validationProblem("Invalid email", { email: parsed.error.issues.map((issue) => issue.message) });
  const email = parsed.data.toLowerCase();
  const removed = await ctx.db.transaction(async (tx) => {
    const row = await deleteSuppression(tx, admin.tenantId, email);
    if (row) {
      await writeAudit(tx, {
        tenantId: admin.tenantId, actor: admin.userId, action: "email_suppression.removed", target: email,
        details: { reason: row.reason, scope: row.scope },
      });
    }
    return row;
  });
  if (!removed) return problem({ status: 404, title: "Not suppressed", detail: "this address is not on the school's suppression list" });
  ctx.log.info("email suppression removed", { reason: removed.reason, scope: removed.scope });
  return json({ removed: suppressionView(removed) });
}
