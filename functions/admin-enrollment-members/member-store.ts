import type { Db } from "../_shared/db/port.ts";
import type { MemberRelation } from "../_shared/domain/enrollments/access.ts";

export interface EnrollmentMember {
  enrollmentId: string;
  userId: string;
  relation: MemberRelation;
  createdAt: Date;
}

type MemberRow = {
  enrollment_id: string;
  user_id: string;
  relation: MemberRelation;
  created_at: Date;
};

const member = (row: MemberRow): EnrollmentMember => ({
  enrollmentId: row.enrollment_id, userId: row.user_id, relation: row.relation, createdAt: row.created_at,
});

/**
 * Makes `userId` a member of the enrollment with `relation`, or changes the relation of an existing member.
 * `previous` is the relation before (null: the member is new). One statement, so two identical calls at
 * once both succeed.
 * @example const { member, previous } = await putMember(tx, tenantId, enrollmentId, userId, "guardian");
 */
export async function putMember(
  db: Db, tenantId: string, enrollmentId: string, userId: string, relation: MemberRelation,
): Promise<{ member: EnrollmentMember; previous: MemberRelation | null }> {
  const [row] = await db.query<MemberRow & { previous: MemberRelation | null }>(
    `with previous as (select relation from enrollment_members where enrollment_id = $2 and user_id = $3)
     insert into enrollment_members (tenant_id, enrollment_id, user_id, relation) values ($1, $2, $3, $4)
     on conflict (enrollment_id, user_id) do update set relation = excluded.relation
     returning enrollment_id, user_id, relation, created_at, (select relation from previous) as previous`,
    [tenantId, enrollmentId, userId, relation],
  );
  return { member: member(row!), previous: row!.previous };
}

/**
 * Ends a membership; the removed member, or null when there was none.
 * @example const removed = await removeMember(tx, tenantId, enrollmentId, userId);
 */
export async function removeMember(db: Db, tenantId: string, enrollmentId: string, userId: string): Promise<EnrollmentMember | null> {
  const [row] = await db.query<MemberRow>(
    `delete from enrollment_members where tenant_id = $1 and enrollment_id = $2 and user_id = $3
     returning enrollment_id, user_id, relation, created_at`,
    [tenantId, enrollmentId, userId],
  );
  return row ? member(row) : null;
}
