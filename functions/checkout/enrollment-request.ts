import * as z from "zod";
import type { Db } from "../_shared/db/port.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { fieldErrors } from "../_shared/http/validation.ts";
import { enrollmentNotFound } from "./enrollment-billing.ts";

const EnrollmentBody = z.strictObject({ enrollmentId: z.uuid("must be an enrollment id (a UUID)") });

/**
 * The `{enrollmentId}` a checkout route is called with, once it is known to be an enrollment of the
 * caller's tenant: 400 for a body that is not that, 404 for another tenant's (or no) enrollment.
 * @example const enrollmentId = await enrollmentOfRequest(req, ctx.db, user.tenantId);
 */
export async function enrollmentOfRequest(req: Request, db: Db, tenantId: string): Promise<string> {
  const parsed = EnrollmentBody.safeParse((await readJsonBody(req)) ?? {});
  if (!parsed.success) throw new ProblemError({ status: 400, title: "Invalid request", errors: fieldErrors(parsed.error) });
  const enrollmentId = parsed.data.enrollmentId.toLowerCase();
  const [row] = await db.query("select 1 from enrollments where tenant_id = $1 and id = $2", [tenantId, enrollmentId]);
  if (!row) throw enrollmentNotFound();
  return enrollmentId;
}
