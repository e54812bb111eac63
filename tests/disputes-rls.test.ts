// Row-level security of `disputes` (supabase/migrations/20261202000400_disputes_and_invoice_emails.sql), as a
// client reaching the database with JWT claims: an admin reads every dispute of its school (linked or not yet),
// a family member only the disputes of its own enrollments' payments, nobody another school's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, DbPool } from "../functions/_shared/db/port.ts";
import { ADAPTERS, openTestDatabase } from "./support/database.ts";
import { addMember } from "./support/families.ts";
import { asProbe, grantProbeRead } from "./support/rls.ts";
import { createEnrollment, createTenant } from "./support/tenants.ts";

/** A payment of the enrollment (or none) and a dispute of it; returns the dispute id. */
async function disputedPayment(db: Db, tenantId: string, enrollmentId: string | null, withPayment = true): Promise<string> {
  const tag = crypto.randomUUID();
  if (withPayment) {
    await db.query(
      `insert into payments (tenant_id, enrollment_id, stripe_payment_intent, amount, currency, status, status_rank, source_event_created)
       values ($1, $2, $3, 1000, 'usd', 'succeeded', 2, now())`, [tenantId, enrollmentId, `pi_${tag}`]);
  }
  await db.query(
    `insert into disputes (tenant_id, stripe_dispute_id, stripe_payment_intent, amount, currency, status, status_rank, source_event_created)
     values ($1, $2, $3, 1000, 'usd', 'needs_response', 3, now())`, [tenantId, `du_${tag}`, `pi_${tag}`]);
  return `du_${tag}`;
}

describe.each(ADAPTERS)("row-level security of disputes on %s", (adapter) => {
  let db: DbPool;
  let school: string;
  let otherSchool: string;
  const ids: Record<string, string> = {};
  const guardianA = crypto.randomUUID();

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
    await grantProbeRead(db, ["disputes", "payments", "enrollment_members"]);
    school = await createTenant(db);
    otherSchool = await createTenant(db);
    const familyA = await createEnrollment(db, school, "Ada A");
    const familyB = await createEnrollment(db, school, "Bo B");
    ids.a = await disputedPayment(db, school, familyA);
    ids.b = await disputedPayment(db, school, familyB);
    ids.unlinked = await disputedPayment(db, school, null, false); // its payment has not arrived yet
    ids.other = await disputedPayment(db, otherSchool, await createEnrollment(db, otherSchool, "Cy C"));
    await addMember(db, school, familyA, guardianA, "guardian");
  });
  afterAll(async () => {
    await db?.close();
  });

  const seen = (claims: Record<string, unknown> | null) => asProbe(db, claims, async (tx) =>
    (await tx.query<{ stripe_dispute_id: string }>("select stripe_dispute_id from disputes")).map((r) => r.stripe_dispute_id).sort());
  const claims = (sub: string, tenantId: string, role?: string) => ({ sub, role: "authenticated", app_metadata: { tenant_id: tenantId, ...(role ? { role } : {}) } });

  it("an admin reads every dispute of its school, linked or not yet, and none of another school", async () => {
    expect(await seen(claims(crypto.randomUUID(), school, "admin"))).toEqual([ids.a!, ids.b!, ids.unlinked!].sort());
    expect(await seen(claims(crypto.randomUUID(), otherSchool, "admin"))).toEqual([ids.other!]);
  });

  it("a family member reads only the disputes of its own enrollment's payments", async () => {
    expect(await seen(claims(guardianA, school))).toEqual([ids.a!]);
    expect(await seen(claims(crypto.randomUUID(), school))).toEqual([]);
    expect(await seen(claims(guardianA, otherSchool))).toEqual([]);
  });

  it("no claims, no rows", async () => {
    expect(await seen(null)).toEqual([]);
  });
});
