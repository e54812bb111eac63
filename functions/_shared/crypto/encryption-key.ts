import { base64ToBytes, bytesToHex, utf8Bytes } from "./encoding.ts";

/** A 32-byte AES key with its id (first 8 hex chars of its SHA-256), which names it inside envelopes. */
export interface EncryptionKey {
  readonly id: string;
  readonly key: CryptoKey;
}

/**
 * The 32 key bytes of an `ENCRYPTION_KEY` value in any of its three forms: 64 hex characters, base64 of
 * 32 bytes, or a 32-character string. `undefined` for anything else.
 * @example parseKeyMaterial("0".repeat(64))?.length // 32
 */
export function parseKeyMaterial(value: string): Uint8Array | undefined {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) {
    return Uint8Array.from(text.match(/../g)!, (pair) => parseInt(pair, 16));
  }
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const decoded = base64ToBytes(text);
    if (decoded?.length === 32) return decoded;
  }
  const raw = utf8Bytes(text);
  return raw.length === 32 ? raw : undefined;
}

/**
 * Imports key material for AES-256-GCM and derives its key id.
 * @example const key = await importEncryptionKey(parseKeyMaterial(env.ENCRYPTION_KEY)!);
 */
export async function importEncryptionKey(material: Uint8Array): Promise<EncryptionKey> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", material as BufferSource));
  const key = await crypto.subtle.importKey("raw", material as BufferSource, "AES-GCM", false, ["encrypt", "decrypt"]);
  return { id: bytesToHex(digest.subarray(0, 4)), key };
}
