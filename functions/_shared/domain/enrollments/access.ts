import type { Principal } from "../../auth/principal.ts";
import type { Db } from "../../db/port.ts";
import { ProblemError } from "../../http/problem-error.ts";
import { isUuid } from "../../http/uuid.ts";

/** How a member is related to its enrollment (`enrollment_members.relation`). */
export const MEMBER_RELATIONS = ["guardian", "student"] as const;
export type MemberRelation = (typeof MEMBER_RELATIONS)[number];

/** An enrollment the caller may act for, and why: it is an admin of the school, or a member of the enrollment. */
export interface AccessibleEnrollment {
  id: string;
  tenantId: string;
  studentName: string | null;
  access: "admin" | MemberRelation;
}

/**
 * 404 for an enrollment the caller may not act for. Another school's, another family's and one that does
 * not exist look exactly alike: never 403, never a hint that it exists.
 */
export const enrollmentNotFound = () =>
  new ProblemError({ status: 404, title: "Enrollment not found", code: "ERR_ENROLLMENT_NOT_FOUND" });

/**
 * The one enrollment check (DESIGN.md "Families"): an admin of the tenant may act for every enrollment of
 * its tenant; anyone else (student, guardian, teacher, no role) only for an enrollment it is a member of.
 * Anything else — another tenant's, another family's, a junk id — is `null`.
 * @example const enrollment = await resolveEnrollment(ctx.db, user, enrollmentId); if (!enrollment) throw enrollmentNotFound();
 */
export async function resolveEnrollment(db: Db, principal: Principal, enrollmentId: string | undefined): Promise<AccessibleEnrollment | null> {
  if (!isUuid(enrollmentId)) return null;
  const isAdmin = principal.role === "admin";
  const [row] = await db.query<{ id: string; tenant_id: string; student_name: string | null; relation: MemberRelation | null }>(
    `select e.id, e.tenant_id, e.student_name, m.relation
       from enrollments e
       left join enrollment_members m on m.enrollment_id = e.id and m.tenant_id = e.tenant_id and m.user_id = $3
      where e.tenant_id = $1 and e.id = $2 and ($4::boolean or m.user_id is not null)`,
    [principal.tenantId, enrollmentId.toLowerCase(), principal.userId, isAdmin],
  );
  if (!row) return null;
  return { id: row.id, tenantId: row.tenant_id, studentName: row.student_name, access: isAdmin ? "admin" : row.relation! };
}
