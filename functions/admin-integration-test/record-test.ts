import { writeAudit } from "../_shared/audit.ts";
import type { Db } from "../_shared/db/port.ts";
import type { IntegrationKey } from "../_shared/integrations/catalog.ts";
import type { ConnectionTestResult } from "../_shared/providers/connection-test.ts";

const MAX_ERROR_LENGTH = 500;

/**
 * Keeps the outcome of a connection test on the integration (`last_test_at/_ok/_error`, shown by the page and
 * the health endpoint) and in `audit_log` — who tested, whether the credentials came from the request or the
 * store (field names only), and the outcome. Never a value. An integration tested before its first save
 * gets its row now (disabled, nothing stored), so "Test Connection, then Save" keeps the test's outcome.
 * @example await recordConnectionTest(ctx.db, { tenantId, actor, key, result, givenCredentials, testedAt });
 */
export async function recordConnectionTest(
  db: Db,
  entry: { tenantId: string; actor: string; key: IntegrationKey; result: ConnectionTestResult; givenCredentials: string[]; testedAt: Date },
): Promise<void> {
  const { tenantId, key, result } = entry;
  const error = result.ok ? null : result.error.slice(0, MAX_ERROR_LENGTH);
  await db.transaction(async (tx) => {
    await tx.query(
      `insert into integrations (tenant_id, integration_key, last_test_at, last_test_ok, last_test_error)
       values ($1, $2, $3, $4, $5)
       on conflict (tenant_id, integration_key) do update
         set last_test_at = excluded.last_test_at, last_test_ok = excluded.last_test_ok, last_test_error = excluded.last_test_error`,
      [tenantId, key, entry.testedAt, result.ok, error],
    );
    await writeAudit(tx, {
      tenantId, actor: entry.actor, action: "integration.tested", target: key,
      details: {
        ok: result.ok,
        ...(result.ok ? {} : { error, code: result.code ?? null }),
        credentials: entry.givenCredentials.length ? { fromRequest: entry.givenCredentials } : "stored",
      },
    });
  });
}
