import { base64ToBytes } from "../../crypto/encoding.ts";
import { DocuSignSetupError } from "./errors.ts";
import { pkcs1ToPkcs8 } from "./pkcs1-to-pkcs8.ts";

const PEM = /-----BEGIN (RSA )?PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END (RSA )?PRIVATE KEY-----/;

const invalidKey = () =>
  new DocuSignSetupError("ERR_DOCUSIGN_PRIVATE_KEY", "the saved RSA private key is not a valid PEM private key (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)");

/**
 * The RS256 signing key of a PEM private key, PKCS#1 (`BEGIN RSA PRIVATE KEY`, as DocuSign's admin shows it)
 * or PKCS#8 (`BEGIN PRIVATE KEY`). Throws `DocuSignSetupError` (never quoting the key) when it is neither.
 * @example const key = await importRsaSigningKey(credentials.rsaPrivateKey);
 */
export async function importRsaSigningKey(pem: string): Promise<CryptoKey> {
  const match = PEM.exec(pem);
  if (!match || (match[1] ?? "") !== (match[3] ?? "")) throw invalidKey();
  const der = base64ToBytes(match[2]!.replace(/\s+/g, ""));
  // Both forms are a DER SEQUENCE; anything else is not worth handing to WebCrypto.
  if (!der || der.length < 64 || der[0] !== 0x30) throw invalidKey();
  try {
    return await crypto.subtle.importKey(
      "pkcs8", (match[1] ? pkcs1ToPkcs8(der) : der) as BufferSource, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"],
    );
  } catch {
    throw invalidKey();
  }
}
