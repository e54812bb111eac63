import { concatBytes } from "../../crypto/encoding.ts";

// PKCS#8 PrivateKeyInfo (RFC 5208) for an RSA key is a fixed prefix around the PKCS#1 RSAPrivateKey:
//   SEQUENCE {
//     INTEGER 0                                              02 01 00
//     SEQUENCE { OID 1.2.840.113549.1.1.1 (rsaEncryption),   30 0d 06 09 2a 86 48 86 f7 0d 01 01 01
//                NULL }                                                                          05 00
//     OCTET STRING { <PKCS#1 RSAPrivateKey DER> }             04 <len> …
//   }
// which is exactly what Node's `createPrivateKey(pkcs1).export({ type: "pkcs8", format: "der" })` writes.
const VERSION_AND_ALGORITHM = new Uint8Array([
  0x02, 0x01, 0x00,
  0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
]);

/** A DER length: one byte below 128, else 0x80 + the number of big-endian bytes that follow. */
function derLength(length: number): Uint8Array {
  if (length < 0x80) return new Uint8Array([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return new Uint8Array([0x80 | bytes.length, ...bytes]);
}

const tagged = (tag: number, content: Uint8Array) => concatBytes(new Uint8Array([tag]), derLength(content.length), content);

/**
 * Wraps a PKCS#1 RSAPrivateKey (DER, what `-----BEGIN RSA PRIVATE KEY-----` holds and DocuSign's admin
 * hands out) in a PKCS#8 PrivateKeyInfo, the only private-key format WebCrypto imports.
 * @example await crypto.subtle.importKey("pkcs8", pkcs1ToPkcs8(der), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
 */
export function pkcs1ToPkcs8(pkcs1: Uint8Array): Uint8Array {
  return tagged(0x30, concatBytes(VERSION_AND_ALGORITHM, tagged(0x04, pkcs1)));
}
