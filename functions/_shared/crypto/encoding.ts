/** Byte/text conversions on Web APIs only (TextEncoder, btoa/atob), identical on Node, Deno and Lambda. */

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * UTF-8 bytes of a string.
 * @example utf8Bytes("é") // Uint8Array [195, 169]
 */
export function utf8Bytes(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/**
 * String from UTF-8 bytes (invalid sequences become U+FFFD, never a throw).
 * @example utf8Text(new Uint8Array([104, 105])) // "hi"
 */
export function utf8Text(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Lower-case hex of bytes.
 * @example bytesToHex(new Uint8Array([1, 255])) // "01ff"
 */
export function bytesToHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += HEX[byte];
  return out;
}

/**
 * Bytes of a hex string; `undefined` when it is not even-length hex.
 * @example hexToBytes("01ff") // Uint8Array [1, 255]
 */
export function hexToBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Standard base64 (with padding) of bytes.
 * @example bytesToBase64(new Uint8Array([104, 105])) // "aGk="
 */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/**
 * Bytes of a base64 or base64url string (padding optional); `undefined` when it is not base64.
 * @example base64ToBytes("aGk") // Uint8Array [104, 105]
 */
export function base64ToBytes(text: string): Uint8Array | undefined {
  const standard = text.replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(standard) || standard.replace(/=+$/, "").length % 4 === 1) {
    return undefined;
  }
  const padded = standard.replace(/=+$/, "").padEnd(Math.ceil(standard.replace(/=+$/, "").length / 4) * 4, "=");
  try {
    const binary = atob(padded);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

/**
 * base64url without padding (for compact envelopes and ids).
 * @example bytesToBase64Url(new Uint8Array([251, 255])) // "-_8"
 */
export function bytesToBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Concatenation of byte arrays.
 * @example concatBytes(utf8Bytes("a."), body)
 */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
