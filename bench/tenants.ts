// Bench tenants: a few schools with Stripe enabled (each its own webhook secret) and some enrollments their
// payments link to. Named "Bench School …" and deleted afterwards (the tenants row cascades to the rest).
import type { Services } from "../functions/_shared/context.ts";
import type { Db } from "../functions/_shared/db/port.ts";
import { configureIntegration, createEnrollment, createTenant } from "../tests/support/tenants.ts";

const NAME = "Bench School";

export interface BenchTenant {
  id: string;
  webhookSecret: string;
  enrollmentIds: string[];
}

export async function createBenchTenants(services: Services, count: number, enrollmentsEach: number): Promise<BenchTenant[]> {
  const tenants: BenchTenant[] = [];
  for (let t = 0; t < count; t++) {
    const id = await createTenant(services.db, NAME);
    const webhookSecret = `whsec_bench_${crypto.randomUUID().replace(/-/g, "")}`;
    await configureIntegration(services, id, "stripe", { secretKey: "sk_test_51BenchSecretKey00000000000000", webhookSecret });
    const enrollmentIds: string[] = [];
    for (let e = 0; e < enrollmentsEach; e++) enrollmentIds.push(await createEnrollment(services.db, id, `Bench Student ${e}`));
    tenants.push({ id, webhookSecret, enrollmentIds });
  }
  return tenants;
}

/** Deletes the given tenants, and bench tenants an aborted earlier run left behind (older than 15 min). */
export async function deleteBenchTenants(db: Db, tenants: readonly BenchTenant[]): Promise<number> {
  const rows = await db.query(
    `delete from tenants
      where id = any(string_to_array($1, ',')::uuid[])
         or (name like $2 and created_at < now() - interval '15 minutes')
     returning id`,
    [tenants.map((t) => t.id).join(","), `${NAME} %`],
  );
  return rows.length;
}
