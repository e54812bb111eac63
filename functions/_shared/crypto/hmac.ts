import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToBase64, bytesToHex, utf8Bytes } from "./encoding.ts";

// HMAC-SHA256, synchronous, never through crypto.subtle: on Node (Lambda) every subtle.sign is an async job on
// the thread pool, which costs ~3× the MAC of a 2 KB body (bench/verify.ts). Where the runtime lends its
// node:crypto synchronously (`process.getBuiltinModule`: Node ≥ 20.16 and 22, Deno 2) its native createHmac
// does it (~4 µs for 2 KB here, against ~16 µs in JS); elsewhere audited pure JS (@noble/hashes), the same on
// every runtime. Neither is imported statically, so a bundle of this file stays platform-neutral.
//
// In pure JS a keyed HMAC state is kept per secret (bounded, oldest dropped first) and cloned per message, so
// the key schedule is computed once per webhook secret rather than once per delivery.
const MAX_CACHED_KEYS = 512;
const keyedStates = new Map<string, ReturnType<typeof hmac.create>>();

function keyedState(secret: string | Uint8Array) {
  if (typeof secret !== "string") return hmac.create(sha256, secret);
  let state = keyedStates.get(secret);
  if (!state) {
    if (keyedStates.size >= MAX_CACHED_KEYS) keyedStates.delete(keyedStates.keys().next().value!);
    state = hmac.create(sha256, utf8Bytes(secret));
    keyedStates.set(secret, state);
  }
  return state.clone();
}

/** HMAC-SHA256 in pure JS alone (what runs where node:crypto is not lent; tested on its own). */
export function portableHmacSha256(secret: string | Uint8Array, message: string | Uint8Array): Uint8Array {
  return keyedState(secret).update(typeof message === "string" ? utf8Bytes(message) : message).digest();
}

interface NativeHmac {
  createHmac(algorithm: "sha256", key: Uint8Array): { update(data: Uint8Array): { digest(): Uint8Array } };
}

function lentNodeCrypto(): NativeHmac | undefined {
  try {
    const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const crypto = runtime?.getBuiltinModule?.("node:crypto") as Partial<NativeHmac> | undefined;
    return typeof crypto?.createHmac === "function" ? (crypto as NativeHmac) : undefined;
  } catch {
    return undefined;
  }
}

const native = lentNodeCrypto();

/** Which implementation hmacSha256 uses in this runtime. */
export const HMAC_IMPLEMENTATION: "node:crypto" | "pure-js" = native ? "node:crypto" : "pure-js";

/**
 * HMAC-SHA256 of a message; a string key is used as its UTF-8 bytes (as Stripe, Zoom and DocuSign do).
 * @example const mac = hmacSha256("whsec_…", utf8Bytes(`${t}.${body}`));
 */
export function hmacSha256(secret: string | Uint8Array, message: string | Uint8Array): Uint8Array {
  if (!native) return portableHmacSha256(secret, message);
  const digest = native.createHmac("sha256", typeof secret === "string" ? utf8Bytes(secret) : secret)
    .update(typeof message === "string" ? utf8Bytes(message) : message).digest();
  // A plain Uint8Array (not Node's Buffer subclass), as the pure-JS path returns.
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

/**
 * HMAC-SHA256 as lower-case hex.
 * @example hmacSha256Hex("test_secret", "") // "f7f9bd47…27fd"
 */
export function hmacSha256Hex(secret: string | Uint8Array, message: string | Uint8Array): string {
  return bytesToHex(hmacSha256(secret, message));
}

/**
 * HMAC-SHA256 as standard base64.
 * @example hmacSha256Base64(connectKey, rawBody) // DocuSign's X-DocuSign-Signature-1
 */
export function hmacSha256Base64(secret: string | Uint8Array, message: string | Uint8Array): string {
  return bytesToBase64(hmacSha256(secret, message));
}
