// Families (DESIGN.md "Families"): memberships made the way the platform makes them — a row in
// enrollment_members — and the signed-in users that hold them.
import type { Db } from "../../functions/_shared/db/port.ts";
import type { MemberRelation } from "../../functions/_shared/domain/enrollments/access.ts";
import { signToken } from "./tokens.ts";

/** Makes `userId` a member of the enrollment (as the platform does, in SQL). */
export async function addMember(
  db: Db, tenantId: string, enrollmentId: string, userId: string, relation: MemberRelation = "guardian",
): Promise<void> {
  await db.query(
    "insert into enrollment_members (tenant_id, enrollment_id, user_id, relation) values ($1, $2, $3, $4)",
    [tenantId, enrollmentId, userId, relation],
  );
}

/** A new signed-in user (no role, like a student or parent) who is a member of the enrollment; returns its token. */
export async function memberToken(
  db: Db, tenantId: string, enrollmentId: string, relation: MemberRelation = "guardian", claims: { role?: string } = {},
): Promise<string> {
  const sub = crypto.randomUUID();
  await addMember(db, tenantId, enrollmentId, sub, relation);
  return signToken({ sub, tenantId, ...claims });
}
