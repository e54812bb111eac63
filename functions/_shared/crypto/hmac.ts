import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToBase64, bytesToHex, utf8Bytes } from "./encoding.ts";

// HMAC-SHA256 in audited pure JS (@noble/hashes) rather than crypto.subtle: on Node (Lambda) every
// subtle.sign is an async job on the thread pool, which costs ~3× the MAC of a 2 KB body (bench/verify.ts).
// Pure JS runs the same on Node, Deno and in the browser, synchronously.
//
// A keyed HMAC state is kept per secret (bounded, oldest dropped first) and cloned per message, so the
// key schedule is computed once per webhook secret rather than once per delivery.
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

/**
 * HMAC-SHA256 of a message; a string key is used as its UTF-8 bytes (as Stripe, Zoom and DocuSign do).
 * @example const mac = hmacSha256("whsec_…", utf8Bytes(`${t}.${body}`));
 */
export function hmacSha256(secret: string | Uint8Array, message: string | Uint8Array): Uint8Array {
  return keyedState(secret).update(typeof message === "string" ? utf8Bytes(message) : message).digest();
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
