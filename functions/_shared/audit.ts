import type { Db } from "./db/port.ts";

/**
 * Appends to `audit_log`. `details` must name what changed, never a secret value.
 * @example await writeAudit(tx, { tenantId, actor: admin.userId, action: "integration.updated", target: "stripe", details: { credentialsChanged: ["webhookSecret"] } });
 */
export async function writeAudit(
  db: Db, entry: { tenantId: string; actor: string; action: string; target?: string; details?: Record<string, unknown> },
): Promise<void> {
  await db.query("insert into audit_log (tenant_id, actor, action, target, details) values ($1, $2, $3, $4, $5::jsonb)", [
    entry.tenantId, entry.actor, entry.action, entry.target ?? null, JSON.stringify(entry.details ?? {}),
  ]);
}
