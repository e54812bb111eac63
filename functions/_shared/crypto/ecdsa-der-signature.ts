// ECDSA signatures come in two shapes: DER (`SEQUENCE { INTEGER r, INTEGER s }`, what SendGrid, OpenSSL and
// Node's default produce) and raw r‖s (IEEE P1363, the only one WebCrypto's verify accepts). Handing WebCrypto
// the DER bytes does not throw — it just never verifies — so the conversion is done here, strictly.

const SEQUENCE = 0x30;
const INTEGER = 0x02;

/** One DER INTEGER at `offset`: its value bytes (sign byte included) and where the next element starts. */
function readInteger(der: Uint8Array, offset: number): { value: Uint8Array; next: number } | undefined {
  if (der[offset] !== INTEGER) return undefined;
  const length = der[offset + 1];
  // Short-form lengths only: DER forbids the long form below 128, and a P-256 or P-384 signature never needs it.
  if (length === undefined || length === 0 || length > 0x7f) return undefined;
  const start = offset + 2;
  const value = der.subarray(start, start + length);
  if (value.length !== length) return undefined;
  if (value[0]! & 0x80) return undefined; // negative: never a valid r or s
  if (value[0] === 0 && (length === 1 || !(value[1]! & 0x80))) return undefined; // zero, or a needless leading 0x00
  return { value, next: start + length };
}

/** An unsigned big-endian integer left-padded to `size` bytes; `undefined` when it does not fit. */
function toFixedSize(value: Uint8Array, size: number): Uint8Array | undefined {
  const unsigned = value[0] === 0 ? value.subarray(1) : value;
  if (unsigned.length > size) return undefined;
  const out = new Uint8Array(size);
  out.set(unsigned, size - unsigned.length);
  return out;
}

/**
 * The raw `r‖s` form (2 × `size` bytes; 32 for P-256) of a DER-encoded ECDSA signature, for
 * `crypto.subtle.verify` (P-256 or P-384). Strict DER: one SEQUENCE of exactly two positive, minimally encoded INTEGERs and
 * nothing after it. Anything else is `undefined` — never a throw — so a forged or mangled signature is just
 * "does not verify".
 * @example const raw = derToRawEcdsaSignature(base64ToBytes(header)!, 32);
 */
export function derToRawEcdsaSignature(der: Uint8Array, size = 32): Uint8Array | undefined {
  if (der[0] !== SEQUENCE) return undefined;
  const length = der[1];
  if (length === undefined || length > 0x7f || der.length !== 2 + length) return undefined;
  const r = readInteger(der, 2);
  const s = r && readInteger(der, r.next);
  if (!r || !s || s.next !== der.length) return undefined;
  const rFixed = toFixedSize(r.value, size);
  const sFixed = toFixedSize(s.value, size);
  if (!rFixed || !sFixed) return undefined;
  const raw = new Uint8Array(2 * size);
  raw.set(rFixed, 0);
  raw.set(sFixed, size);
  return raw;
}
