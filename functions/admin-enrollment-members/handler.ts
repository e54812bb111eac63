// admin-enrollment-members: PUT, DELETE /api/admin/enrollments/{id}/members/{userId}
// A school's admin says who an enrollment belongs to (DESIGN.md "Families"): `PUT` with
// `{ "relation": "guardian" | "student" }` adds the signed-in user `userId` (its JWT `sub`) to the enrollment
// or changes its relation; `DELETE` removes it. Members then act for that enrollment (checkout, billing
// portal, the payment page) and read its rows; nobody else but the school's admins does. Every change is
// audited. Another tenant's enrollment is not found.
import * as z from "zod";
import type { Principal } from "../_shared/auth/principal.ts";
import { writeAudit } from "../_shared/audit.ts";
import type { Context } from "../_shared/context.ts";
import { enrollmentNotFound, MEMBER_RELATIONS, resolveEnrollment, type AccessibleEnrollment } from "../_shared/domain/enrollments/access.ts";
import { adminHandler } from "../_shared/http/admin-handler.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { json } from "../_shared/http/responses.ts";
import { fieldErrors } from "../_shared/http/validation.ts";
import { putMember, removeMember, type EnrollmentMember } from "./member-store.ts";

const MemberBody = z.strictObject({
  relation: z.enum(MEMBER_RELATIONS, 'must be "guardian" or "student"'),
});

// A user id is the token's `sub` as it is (Supabase: a UUID; other issuers: any short string).
const UserId = z.string().min(1, "must not be empty").max(255, "must be at most 255 characters")
  .regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters");

const answer = (member: EnrollmentMember, status: 200 | 201) =>
  json({ enrollmentId: member.enrollmentId, userId: member.userId, relation: member.relation, createdAt: member.createdAt.toISOString() }, { status });

async function put(req: Request, ctx: Context, admin: Principal, enrollment: AccessibleEnrollment, userId: string): Promise<Response> {
  const parsed = MemberBody.safeParse((await readJsonBody(req)) ?? {});
  if (!parsed.success) throw new ProblemError({ status: 400, title: "Invalid member", errors: fieldErrors(parsed.error) });
  const { relation } = parsed.data;
  return ctx.db.transaction(async (tx) => {
    const { member, previous } = await putMember(tx, enrollment.tenantId, enrollment.id, userId, relation);
    if (previous !== relation) {
      await writeAudit(tx, {
        tenantId: enrollment.tenantId, actor: admin.userId,
        action: previous === null ? "enrollment.member_added" : "enrollment.member_changed",
        target: enrollment.id, details: { userId, relation, ...(previous !== null ? { previousRelation: previous } : {}) },
      });
      ctx.log.info("enrollment member saved", { enrollmentId: enrollment.id, relation, created: previous === null });
    }
    return answer(member, previous === null ? 201 : 200);
  });
}

async function remove(ctx: Context, admin: Principal, enrollment: AccessibleEnrollment, userId: string): Promise<Response> {
  return ctx.db.transaction(async (tx) => {
    const removed = await removeMember(tx, enrollment.tenantId, enrollment.id, userId);
    if (!removed) throw new ProblemError({ status: 404, title: "Member not found", code: "ERR_MEMBER_NOT_FOUND" });
    await writeAudit(tx, {
      tenantId: enrollment.tenantId, actor: admin.userId, action: "enrollment.member_removed",
      target: enrollment.id, details: { userId, relation: removed.relation },
    });
    ctx.log.info("enrollment member removed", { enrollmentId: enrollment.id });
    return new Response(null, { status: 204 });
  });
}

export const handler = adminHandler("admin-enrollment-members", async (req, ctx, admin) => {
  if (req.method !== "PUT" && req.method !== "DELETE") {
    throw new ProblemError({ status: 405, title: "Method not allowed", headers: { allow: "PUT, DELETE" } });
  }
  const userId = UserId.safeParse(ctx.params.userId ?? "");
  if (!userId.success) throw new ProblemError({ status: 400, title: "Invalid member", errors: fieldErrors(userId.error, "userId") });
  // The shared guard: for an admin, any enrollment of its own tenant; anything else is not found.
  const enrollment = await resolveEnrollment(ctx.db, admin, ctx.params.id);
  if (!enrollment) throw enrollmentNotFound();
  return req.method === "PUT" ? put(req, ctx, admin, enrollment, userId.data) : remove(ctx, admin, enrollment, userId.data);
});
