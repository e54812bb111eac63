import { bytesToBase64, bytesToHex, utf8Bytes } from "./encoding.ts";

// Importing a key costs about as much as the MAC itself; webhook secrets repeat on every delivery,
// so imported keys are kept per secret (bounded, oldest dropped first).
const MAX_CACHED_KEYS = 512;
const keyCache = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string | Uint8Array): Promise<CryptoKey> {
  const import_ = (raw: Uint8Array) =>
    crypto.subtle.importKey("raw", raw as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  if (typeof secret !== "string") return import_(secret);
  let key = keyCache.get(secret);
  if (!key) {
    if (keyCache.size >= MAX_CACHED_KEYS) keyCache.delete(keyCache.keys().next().value!);
    key = import_(utf8Bytes(secret));
    keyCache.set(secret, key);
  }
  return key;
}

/**
 * HMAC-SHA256 of a message; a string key is used as its UTF-8 bytes (as Stripe, Zoom and DocuSign do).
 * @example const mac = await hmacSha256("whsec_…", utf8Bytes(`${t}.${body}`));
 */
export async function hmacSha256(secret: string | Uint8Array, message: string | Uint8Array): Promise<Uint8Array> {
  const data = typeof message === "string" ? utf8Bytes(message) : message;
  return new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), data as BufferSource));
}

/**
 * HMAC-SHA256 as lower-case hex.
 * @example await hmacSha256Hex("test_secret", "") // "f7f9bd47…27fd"
 */
export async function hmacSha256Hex(secret: string | Uint8Array, message: string | Uint8Array): Promise<string> {
  return bytesToHex(await hmacSha256(secret, message));
}

/**
 * HMAC-SHA256 as standard base64.
 * @example await hmacSha256Base64(connectKey, rawBody) // DocuSign's X-DocuSign-Signature-1
 */
export async function hmacSha256Base64(secret: string | Uint8Array, message: string | Uint8Array): Promise<string> {
  return bytesToBase64(await hmacSha256(secret, message));
}
