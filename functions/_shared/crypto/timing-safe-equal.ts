/**
 * Constant-time equality of two byte arrays. Unequal lengths return `false` at once (the length of a MAC is
 * public); equal lengths are compared without an early exit, so timing does not reveal where they differ.
 * Unlike Node's `timingSafeEqual`, it never throws.
 * @example timingSafeEqual(expectedMac, receivedMac)
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
