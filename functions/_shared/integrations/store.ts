import type { CredentialVault } from "../crypto/vault.ts";
import type { Db } from "../db/port.ts";
import type { IntegrationKey } from "./catalog.ts";

/** One tenant's integration with its credentials decrypted (in memory only). */
export interface Integration {
  id: string;
  tenantId: string;
  key: IntegrationKey;
  enabled: boolean;
  credentials: Record<string, unknown>;
  settings: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

interface IntegrationRow {
  [column: string]: unknown;
  id: string;
  tenant_id: string;
  integration_key: IntegrationKey;
  is_enabled: boolean;
  credentials: unknown;
  settings: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

async function fromRow(vault: CredentialVault, row: IntegrationRow): Promise<Integration> {
  const credentials = row.credentials
    ? await vault.open<Record<string, unknown>>(row.credentials, { tenantId: row.tenant_id, integrationKey: row.integration_key })
    : {};
  return {
    id: row.id,
    tenantId: row.tenant_id,
    key: row.integration_key,
    enabled: row.is_enabled,
    credentials,
    settings: row.settings ?? {},
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const COLUMNS = "id, tenant_id, integration_key, is_enabled, credentials, settings, created_at, updated_at";

/**
 * A tenant's integration, decrypted; `undefined` when the tenant never configured it.
 * @example const stripe = await loadIntegration(db, vault, tenantId, "stripe");
 */
export async function loadIntegration(
  db: Db, vault: CredentialVault, tenantId: string, key: IntegrationKey,
): Promise<Integration | undefined> {
  const [row] = await db.query<IntegrationRow>(
    `select ${COLUMNS} from integrations where tenant_id = $1 and integration_key = $2`, [tenantId, key],
  );
  return row ? fromRow(vault, row) : undefined;
}

/** Every integration a tenant has configured, decrypted. */
export async function loadIntegrations(db: Db, vault: CredentialVault, tenantId: string): Promise<Integration[]> {
  const rows = await db.query<IntegrationRow>(`select ${COLUMNS} from integrations where tenant_id = $1`, [tenantId]);
  return Promise.all(rows.map((row) => fromRow(vault, row)));
}

/**
 * The only tenant with `key` enabled, for single-school installs that use `/api/webhooks/{key}`;
 * `undefined` when none or several have it.
 */
export async function findSoleEnabledTenant(db: Db, key: IntegrationKey): Promise<string | undefined> {
  const rows = await db.query<{ tenant_id: string }>(
    "select tenant_id from integrations where integration_key = $1 and is_enabled limit 2", [key],
  );
  return rows.length === 1 ? rows[0]!.tenant_id : undefined;
}

/**
 * Creates or replaces a tenant's integration, sealing the credentials bound to this tenant and key.
 * @example await saveIntegration(db, vault, { tenantId, key: "stripe", enabled: true, credentials, settings });
 */
export async function saveIntegration(
  db: Db,
  vault: CredentialVault,
  input: { tenantId: string; key: IntegrationKey; enabled: boolean; credentials: Record<string, unknown>; settings: Record<string, unknown> },
): Promise<void> {
  const sealed = await vault.seal(input.credentials, { tenantId: input.tenantId, integrationKey: input.key });
  await db.query(
    `insert into integrations (tenant_id, integration_key, is_enabled, credentials, settings)
     values ($1, $2, $3, $4::jsonb, $5::jsonb)
     on conflict (tenant_id, integration_key) do update
       set is_enabled = excluded.is_enabled, credentials = excluded.credentials,
           settings = excluded.settings, updated_at = now()`,
    [input.tenantId, input.key, input.enabled, JSON.stringify(sealed), JSON.stringify(input.settings)],
  );
}
