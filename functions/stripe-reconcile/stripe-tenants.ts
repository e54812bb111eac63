import type { Db } from "../_shared/db/port.ts";

/** Every tenant with Stripe enabled, in a stable order (a run that stops early resumes nothing, so order only eases reading logs). */
export async function stripeEnabledTenants(db: Db): Promise<string[]> {
  const rows = await db.query<{ tenant_id: string }>(
    "select tenant_id from integrations where integration_key = 'stripe' and is_enabled order by tenant_id",
  );
  return rows.map((row) => row.tenant_id);
}
