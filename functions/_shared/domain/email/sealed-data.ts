import type { CredentialVault } from "../../crypto/vault.ts";

/**
 * Emails enqueued by the platform's services (welcome, password reset) carry links that sign someone in:
 * their template data is stored sealed with the credential vault, bound to the tenant, and opened only to
 * send. Data written by webhook effects (amounts, names) is stored as it is.
 */
const BINDING_KEY = "email_messages";

/**
 * `data` sealed for storage in `email_messages.data`.
 * @example enqueueEmailStatement({ ...email, data: await sealEmailData(ctx.vault, tenantId, { resetUrl }) })
 */
export async function sealEmailData(vault: CredentialVault, tenantId: string, data: Record<string, unknown>): Promise<{ sealed: unknown }> {
  return { sealed: await vault.seal(data, { tenantId, integrationKey: BINDING_KEY }) };
}

/**
 * The template data of a stored message: opened when it was sealed, as stored otherwise. Throws VaultError
 * when a sealed one cannot be opened (its key is gone from ENCRYPTION_KEY and ENCRYPTION_KEYS_OLD).
 * @example const data = await openEmailData(ctx.vault, message.tenantId, row.data);
 */
export async function openEmailData(vault: CredentialVault, tenantId: string, stored: unknown): Promise<Record<string, unknown>> {
  const value = (stored ?? {}) as Record<string, unknown>;
  if (Object.keys(value).length === 1 && "sealed" in value) {
    return vault.open<Record<string, unknown>>(value.sealed, { tenantId, integrationKey: BINDING_KEY });
  }
  return value;
}
