import type { Services } from "../../functions/_shared/context.ts";
import type { Db } from "../../functions/_shared/db/port.ts";
import type { IntegrationKey } from "../../functions/_shared/integrations/catalog.ts";
import { saveIntegration } from "../../functions/_shared/integrations/store.ts";

/** A new tenant with a unique name; tests never share tenants, so suites can run in parallel on one database. */
export async function createTenant(db: Db, name = "Test School"): Promise<string> {
  const [row] = await db.query<{ id: string }>("insert into tenants (name) values ($1) returning id", [`${name} ${crypto.randomUUID()}`]);
  return row!.id;
}

export async function createEnrollment(db: Db, tenantId: string, studentName = "Ada Student"): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    "insert into enrollments (tenant_id, student_name) values ($1, $2) returning id", [tenantId, studentName],
  );
  return row!.id;
}

/** Stores an integration directly (as the admin function would), credentials sealed. */
export async function configureIntegration(
  services: Services,
  tenantId: string,
  key: IntegrationKey,
  credentials: Record<string, unknown>,
  options: { enabled?: boolean; settings?: Record<string, unknown> } = {},
): Promise<void> {
  await saveIntegration(services.db, services.vault, {
    tenantId, key, enabled: options.enabled ?? true, credentials, settings: options.settings ?? {},
  });
}

/** A tenant with Stripe enabled and the given webhook secret; returns its id. */
export async function createStripeTenant(services: Services, webhookSecret: string, options: { enabled?: boolean } = {}): Promise<string> {
  const tenantId = await createTenant(services.db);
  await configureIntegration(services, tenantId, "stripe", {
    secretKey: "sk_test_51ExampleSecretKey000000000000",
    webhookSecret,
  }, options);
  return tenantId;
}
