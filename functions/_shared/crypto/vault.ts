import { base64ToBytes, bytesToBase64Url, utf8Bytes, utf8Text } from "./encoding.ts";
import type { EncryptionKey } from "./encryption-key.ts";

/** What is stored in `integrations.credentials`: ciphertext and the id of the key that made it, never plaintext. */
export interface SealedEnvelope {
  v: 1;
  kid: string;
  iv: string;
  ct: string;
}

/** Which row a ciphertext belongs to; bound in as GCM additional data so a copied ciphertext fails to open. */
export interface VaultBinding {
  tenantId: string;
  integrationKey: string;
}

/** Thrown when an envelope cannot be opened; the message never carries key material or plaintext. */
export class VaultError extends Error {
  override name = "VaultError";
  constructor(
    readonly code: "ERR_VAULT_UNKNOWN_KEY" | "ERR_VAULT_DECRYPT" | "ERR_VAULT_ENVELOPE",
    message: string,
  ) {
    super(message);
  }
}

/** AES-256-GCM sealing of JSON values for one tenant's integration row. */
export interface CredentialVault {
  seal(value: unknown, binding: VaultBinding): Promise<SealedEnvelope>;
  open<T = unknown>(envelope: unknown, binding: VaultBinding): Promise<T>;
}

const additionalData = ({ tenantId, integrationKey }: VaultBinding) => utf8Bytes(`${tenantId}\u0000${integrationKey}`);

function isEnvelope(value: unknown): value is SealedEnvelope {
  const e = value as Partial<SealedEnvelope> | null;
  return !!e && e.v === 1 && typeof e.kid === "string" && typeof e.iv === "string" && typeof e.ct === "string";
}

/**
 * A vault that seals with `current` (a fresh 96-bit IV each time) and opens envelopes made by `current` or
 * any of `previous` (key rotation: `ENCRYPTION_KEYS_OLD`).
 * @example
 * const vault = createCredentialVault(key, []);
 * const sealed = await vault.seal({ secretKey: "sk_…" }, { tenantId, integrationKey: "stripe" });
 * const creds = await vault.open(sealed, { tenantId, integrationKey: "stripe" });
 */
export function createCredentialVault(current: EncryptionKey, previous: readonly EncryptionKey[] = []): CredentialVault {
  const byId = new Map<string, EncryptionKey>();
  for (const k of [...previous, current]) byId.set(k.id, k);

  return {
    async seal(value, binding) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const plaintext = utf8Bytes(JSON.stringify(value));
      const ciphertext = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: additionalData(binding) as BufferSource },
        current.key,
        plaintext as BufferSource,
      );
      return { v: 1, kid: current.id, iv: bytesToBase64Url(iv), ct: bytesToBase64Url(new Uint8Array(ciphertext)) };
    },

    async open<T>(envelope: unknown, binding: VaultBinding): Promise<T> {
      if (!isEnvelope(envelope)) throw new VaultError("ERR_VAULT_ENVELOPE", "stored credentials are not a sealed envelope");
      const key = byId.get(envelope.kid);
      if (!key) {
        throw new VaultError("ERR_VAULT_UNKNOWN_KEY", `credentials were sealed with key ${envelope.kid}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_KEYS_OLD`);
      }
      const iv = base64ToBytes(envelope.iv);
      const ciphertext = base64ToBytes(envelope.ct);
      if (!iv || iv.length !== 12 || !ciphertext) throw new VaultError("ERR_VAULT_ENVELOPE", "stored credentials envelope is malformed");
      try {
        const plaintext = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: iv as BufferSource, additionalData: additionalData(binding) as BufferSource },
          key.key,
          ciphertext as BufferSource,
        );
        return JSON.parse(utf8Text(new Uint8Array(plaintext))) as T;
      } catch {
        throw new VaultError("ERR_VAULT_DECRYPT", "stored credentials could not be decrypted for this tenant and integration");
      }
    },
  };
}
