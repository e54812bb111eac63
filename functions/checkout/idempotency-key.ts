import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8Bytes } from "../_shared/crypto/encoding.ts";

/** 64 bits of SHA-256: enough to tell two parameter sets of one enrollment's checkout apart. */
const DIGEST_HEX_CHARS = 16;

/**
 * The idempotency key of a Checkout Session create: the enrollment, the kind, how many sessions were opened
 * before, and a hash of the parameters sent. Stripe answers a reused key carrying other parameters with
 * `idempotency_error`, so a retry after a price change must be a new key; a retry with the same parameters
 * (after a crash between Stripe's answer and our insert) keeps the key and gets the same session back.
 * @example checkoutIdempotencyKey({ tenantId, enrollmentId, kind }, earlier, params) // "checkout:…:0:3f2a…"
 */
export function checkoutIdempotencyKey(key: { tenantId: string; enrollmentId: string; kind: string }, earlier: number, params: unknown): string {
  // SHA-256 in the same audited pure JS as our HMACs (functions/_shared/crypto/hmac.ts): synchronous on every runtime.
  const hash = bytesToHex(sha256(utf8Bytes(JSON.stringify(params)))).slice(0, DIGEST_HEX_CHARS);
  return `checkout:${key.tenantId}:${key.enrollmentId}:${key.kind}:${earlier}:${hash}`;
}
