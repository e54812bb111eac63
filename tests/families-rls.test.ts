// Row-level security for families (DESIGN.md "Families"), as a client reaching the database directly with a
// member's JWT claims (Supabase's `authenticated` role): a member reads only the rows of its own
// enrollments — enrollments, payments, subscriptions, checkout sessions — and its own membership rows;
// an admin reads every row of its tenant; nobody reads another tenant's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, DbPool } from "../functions/_shared/db/port.ts";
import { ADAPTERS, openTestDatabase } from "./support/database.ts";
import { addMember } from "./support/families.ts";
import { asProbe, grantProbeRead } from "./support/rls.ts";
import { createEnrollment, createTenant } from "./support/tenants.ts";

const TABLES = ["enrollments", "payments", "subscriptions", "checkout_sessions", "enrollment_members"] as const;

/** One enrollment's rows: a payment, a subscription, a checkout session. */
async function enrollmentRows(db: Db, tenantId: string, enrollmentId: string | null) {
  const tag = crypto.randomUUID();
  await db.query(
    `insert into payments (tenant_id, enrollment_id, stripe_payment_intent, amount, currency, status, status_rank, source_event_created)
     values ($1, $2, $3, 1000, 'usd', 'succeeded', 2, now())`, [tenantId, enrollmentId, `pi_${tag}`],
  );
  if (!enrollmentId) return;
  await db.query(
    `insert into subscriptions (tenant_id, enrollment_id, stripe_subscription_id, status, source_event_created)
     values ($1, $2, $3, 'active', now())`, [tenantId, enrollmentId, `sub_${tag}`],
  );
  await db.query(
    `insert into checkout_sessions (tenant_id, enrollment_id, kind, stripe_session_id, url, expires_at)
     values ($1, $2, 'enrollment_fee', $3, 'https://checkout.stripe.com/c/pay/x', now() + interval '1 day')`, [tenantId, enrollmentId, `cs_${tag}`],
  );
}

describe.each(ADAPTERS)("row-level security for families on %s", (adapter) => {
  let db: DbPool;
  let school: string;
  let otherSchool: string;
  let familyA: string;
  let familyB: string;
  let familyC: string;
  const guardianA = crypto.randomUUID();
  const studentA = crypto.randomUUID();
  const guardianB = crypto.randomUUID();

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
    await grantProbeRead(db, TABLES);
    school = await createTenant(db);
    otherSchool = await createTenant(db);
    familyA = await createEnrollment(db, school, "Ada A");
    familyB = await createEnrollment(db, school, "Bo B");
    familyC = await createEnrollment(db, otherSchool, "Cy C");
    for (const [tenantId, enrollmentId] of [[school, familyA], [school, familyB], [otherSchool, familyC]] as const) {
      await enrollmentRows(db, tenantId, enrollmentId);
    }
    await enrollmentRows(db, school, null); // a payment linked to no enrollment: the school's admins only
    await addMember(db, school, familyA, guardianA, "guardian");
    await addMember(db, school, familyA, studentA, "student");
    await addMember(db, school, familyB, guardianB, "guardian");
    // The same user id in another school: a membership there gives nothing here.
    await addMember(db, otherSchool, familyC, guardianA, "guardian");
  });
  afterAll(async () => {
    await db?.close();
  });

  /** What a caller with these claims reads of each table: the enrollment each row belongs to. */
  async function visible(claims: Record<string, unknown> | null) {
    return asProbe(db, claims, async (tx) => {
      const seen: Record<string, string[]> = {};
      for (const table of TABLES) {
        const column = table === "enrollments" ? "id" : "enrollment_id";
        const rows = await tx.query<{ enrollment: string | null }>(`select ${column} as enrollment from ${table}`);
        seen[table] = rows.map((r) => r.enrollment ?? "none").sort();
      }
      return seen;
    });
  }
  const member = (sub: string, tenantId: string, role?: string) => ({ sub, role: "authenticated", app_metadata: { tenant_id: tenantId, ...(role ? { role } : {}) } });

  it("a member reads only its own enrollment's rows and its own membership", async () => {
    const seen = await visible(member(guardianA, school));

    expect(seen).toEqual({
      enrollments: [familyA], payments: [familyA], subscriptions: [familyA], checkout_sessions: [familyA],
      enrollment_members: [familyA], // its own row, not the student's
    });
    const own = await asProbe(db, member(guardianA, school), (tx) => tx.query("select user_id, relation from enrollment_members"));
    expect(own).toEqual([{ user_id: guardianA, relation: "guardian" }]);
  });

  it("the other family reads only its own, nothing of family A", async () => {
    expect(await visible(member(guardianB, school, "guardian"))).toEqual({
      enrollments: [familyB], payments: [familyB], subscriptions: [familyB], checkout_sessions: [familyB], enrollment_members: [familyB],
    });
  });

  it("an admin reads every row of its tenant, and nothing of another tenant", async () => {
    const seen = await visible(member(crypto.randomUUID(), school, "admin"));

    expect(seen).toEqual({
      enrollments: [familyA, familyB].sort(),
      payments: [familyA, familyB, "none"].sort(),
      subscriptions: [familyA, familyB].sort(),
      checkout_sessions: [familyA, familyB].sort(),
      enrollment_members: [familyA, familyA, familyB].sort(),
    });
  });

  it("a member's rows in another school, a teacher, a student role and no claims read nothing here", async () => {
    const nothing = { enrollments: [], payments: [], subscriptions: [], checkout_sessions: [], enrollment_members: [] };

    // guardianA's claims naming the other school: only that school's membership (family C) counts.
    expect(await visible(member(guardianA, otherSchool))).toEqual({
      enrollments: [familyC], payments: [familyC], subscriptions: [familyC], checkout_sessions: [familyC], enrollment_members: [familyC],
    });
    expect(await visible(member(crypto.randomUUID(), school, "teacher"))).toEqual(nothing);
    expect(await visible(member(crypto.randomUUID(), school, "student"))).toEqual(nothing);
    expect(await visible({ role: "authenticated", app_metadata: { tenant_id: school } })).toEqual(nothing); // no sub
    expect(await visible(null)).toEqual(nothing);
  });

  it("keeps a membership's tenant consistent with its enrollment's", async () => {
    await expect(db.query(
      "insert into enrollment_members (tenant_id, enrollment_id, user_id, relation) values ($1, $2, $3, 'guardian')",
      [otherSchool, familyA, crypto.randomUUID()],
    )).rejects.toThrow(/foreign key/);
    await expect(db.query(
      "insert into enrollment_members (tenant_id, enrollment_id, user_id, relation) values ($1, $2, $3, 'teacher')",
      [school, familyA, crypto.randomUUID()],
    )).rejects.toThrow(/check constraint/);
  });
});
