import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { DbPool } from "../_shared/db/port.ts";
import { callHandler } from "../../tests/support/admin-request.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { addMember } from "../../tests/support/families.ts";
import { testServices } from "../../tests/support/services.ts";
import { createEnrollment, createTenant } from "../../tests/support/tenants.ts";
import { adminToken, signToken } from "../../tests/support/tokens.ts";
import { handler } from "./handler.ts";

describe.each(ADAPTERS)("admin-enrollment-members on %s", (adapter) => {
  let db: DbPool;
  let services: Services;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
    services = await testServices(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function school() {
    const tenantId = await createTenant(db);
    const enrollmentId = await createEnrollment(db, tenantId);
    const admin = await adminToken(tenantId);
    const call = (method: string, userId: string, options: { body?: unknown; raw?: string; token?: string; id?: string } = {}) => {
      const id = options.id ?? enrollmentId;
      return callHandler(handler, services, {
        method, path: `/api/admin/enrollments/${id}/members/${encodeURIComponent(userId)}`,
        token: options.token ?? admin, params: { id, userId },
        ...(options.body !== undefined ? { body: options.body } : {}), ...(options.raw !== undefined ? { raw: options.raw } : {}),
      });
    };
    return { tenantId, enrollmentId, admin, call };
  }

  const members = (enrollmentId: string) =>
    db.query("select tenant_id, user_id, relation from enrollment_members where enrollment_id = $1 order by user_id", [enrollmentId]);
  const audits = (tenantId: string) =>
    db.query("select actor, action, target, details from audit_log where tenant_id = $1 order by created_at, id", [tenantId]);

  it("PUT adds a member (201), changes its relation (200), and repeating it changes nothing (200); each change audited", async () => {
    const { tenantId, enrollmentId, call } = await school();
    const userId = crypto.randomUUID();

    const added = await call("PUT", userId, { body: { relation: "guardian" } });
    const changed = await call("PUT", userId, { body: { relation: "student" } });
    const again = await call("PUT", userId, { body: { relation: "student" } });

    expect(added.status).toBe(201);
    expect(added.json).toEqual({ enrollmentId, userId, relation: "guardian", createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ enrollmentId, userId, relation: "student", createdAt: added.json.createdAt });
    expect(again.status).toBe(200);
    expect(await members(enrollmentId)).toEqual([{ tenant_id: tenantId, user_id: userId, relation: "student" }]);
    const log = await audits(tenantId);
    expect(log).toEqual([
      { actor: expect.any(String), action: "enrollment.member_added", target: enrollmentId, details: { userId, relation: "guardian" } },
      { actor: expect.any(String), action: "enrollment.member_changed", target: enrollmentId, details: { userId, relation: "student", previousRelation: "guardian" } },
    ]);
  });

  it("DELETE removes a member (204, audited) and answers 404 when there is none", async () => {
    const { tenantId, enrollmentId, call } = await school();
    const userId = crypto.randomUUID();
    await addMember(db, tenantId, enrollmentId, userId, "student");

    const removed = await call("DELETE", userId);
    const again = await call("DELETE", userId);

    expect(removed.status).toBe(204);
    expect(removed.text).toBe("");
    expect(again.status).toBe(404);
    expect(again.json.code).toBe("ERR_MEMBER_NOT_FOUND");
    expect(await members(enrollmentId)).toEqual([]);
    expect(await audits(tenantId)).toEqual([
      { actor: expect.any(String), action: "enrollment.member_removed", target: enrollmentId, details: { userId, relation: "student" } },
    ]);
  });

  it("answers 400 naming the field for a bad relation, an unknown field, a missing or malformed body, or a bad user id; nothing changes", async () => {
    const { tenantId, enrollmentId, call } = await school();
    const userId = crypto.randomUUID();

    const badRelation = await call("PUT", userId, { body: { relation: "teacher" } });
    const extra = await call("PUT", userId, { body: { relation: "guardian", role: "admin" } });
    const empty = await call("PUT", userId);
    const malformed = await call("PUT", userId, { raw: "{relation:" });
    const tooLong = await call("PUT", "u".repeat(256), { body: { relation: "guardian" } });
    const control = await call("DELETE", "a\u0000b");

    expect(badRelation.status).toBe(400);
    expect(badRelation.json.errors).toEqual({ relation: ['must be "guardian" or "student"'] });
    expect(extra.status).toBe(400);
    expect(Object.keys(extra.json.errors)).toEqual(["role"]);
    expect(empty.status).toBe(400);
    expect(Object.keys(empty.json.errors)).toEqual(["relation"]);
    expect(malformed.status).toBe(400);
    expect(tooLong.status).toBe(400);
    expect(Object.keys(tooLong.json.errors)).toEqual(["userId"]);
    expect(control.status).toBe(400);
    expect(Object.keys(control.json.errors)).toEqual(["userId"]);
    expect(await members(enrollmentId)).toEqual([]);
    expect(await audits(tenantId)).toEqual([]);
  });

  it("answers 404 for an unknown enrollment, a junk id, or another tenant's enrollment; nothing changes", async () => {
    const { tenantId, call } = await school();
    const other = await school();
    const userId = crypto.randomUUID();

    const unknown = await call("PUT", userId, { id: crypto.randomUUID(), body: { relation: "guardian" } });
    const junk = await call("PUT", userId, { id: "not-a-uuid", body: { relation: "guardian" } });
    const foreign = await call("PUT", userId, { id: other.enrollmentId, body: { relation: "guardian" } });
    const foreignDelete = await call("DELETE", userId, { id: other.enrollmentId });

    for (const res of [unknown, junk, foreign, foreignDelete]) {
      expect(res.status).toBe(404);
      expect(res.json.code).toBe("ERR_ENROLLMENT_NOT_FOUND");
    }
    expect(await members(other.enrollmentId)).toEqual([]);
    expect(await audits(tenantId)).toEqual([]);
    expect(await audits(other.tenantId)).toEqual([]);
  });

  it("answers 403 to a signed-in non-admin (even a member of the enrollment) and 401 without a token", async () => {
    const { tenantId, enrollmentId, call } = await school();
    const memberId = crypto.randomUUID();
    await addMember(db, tenantId, enrollmentId, memberId, "guardian");
    const member = await signToken({ sub: memberId, tenantId });
    const teacher = await signToken({ tenantId, role: "teacher" });

    const asMember = await call("PUT", crypto.randomUUID(), { token: member, body: { relation: "guardian" } });
    const asTeacher = await call("DELETE", memberId, { token: teacher });
    const anonymous = await callHandler(handler, services, {
      method: "PUT", path: `/api/admin/enrollments/${enrollmentId}/members/x`, params: { id: enrollmentId, userId: "x" }, body: { relation: "guardian" },
    });

    expect(asMember.status).toBe(403);
    expect(asTeacher.status).toBe(403);
    expect(anonymous.status).toBe(401);
    expect(await members(enrollmentId)).toEqual([{ tenant_id: tenantId, user_id: memberId, relation: "guardian" }]);
  });

  it("refuses other methods with 405", async () => {
    const { call } = await school();

    const res = await call("POST", crypto.randomUUID(), { body: { relation: "guardian" } });

    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("PUT, DELETE");
  });
});
