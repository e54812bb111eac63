import { createPrivateKey, generateKeyPairSync, type KeyObject, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { rsaKeyPair } from "../../../../tests/support/docusign.ts";
import { DocuSignSetupError } from "./errors.ts";
import { pkcs1ToPkcs8 } from "./pkcs1-to-pkcs8.ts";
import { importRsaSigningKey } from "./private-key.ts";

const pair = rsaKeyPair();
const derOf = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");

/** A signature made with the imported key verifies with Node against the key pair's public half. */
async function signsFor(key: CryptoKey, publicKey: KeyObject): Promise<boolean> {
  const data = new TextEncoder().encode("header.payload");
  const signature = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, data));
  return verify("sha256", data, publicKey, signature);
}

describe("pkcs1ToPkcs8", () => {
  it("wraps a 2048-bit key exactly as Node's createPrivateKey(...).export({ type: 'pkcs8' }) does", () => {
    const expected = createPrivateKey(pair.pkcs1Pem).export({ type: "pkcs8", format: "der" });
    expect(Buffer.from(pkcs1ToPkcs8(derOf(pair.pkcs1Pem)))).toEqual(expected);
  });

  it.each([1024, 4096])("matches Node for a %i-bit key too (other DER length forms)", (bits) => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: bits });
    const pkcs1 = privateKey.export({ type: "pkcs1", format: "der" });
    expect(Buffer.from(pkcs1ToPkcs8(pkcs1))).toEqual(privateKey.export({ type: "pkcs8", format: "der" }));
  });

  it.each([
    [5, [0x30, 25], [0x04, 5]],
    [200, [0x30, 0x81, 221], [0x04, 0x81, 200]],
    [300, [0x30, 0x82, 0x01, 0x42], [0x04, 0x82, 0x01, 0x2c]],
  ])("writes DER lengths in short and long form (%i-byte key)", (size, outer, octet) => {
    const wrapped = pkcs1ToPkcs8(new Uint8Array(size).fill(7));
    expect([...wrapped.subarray(0, outer.length)]).toEqual(outer);
    // version (3 bytes) and algorithm (15 bytes) come between the two headers.
    expect([...wrapped.subarray(outer.length + 18, outer.length + 18 + octet.length)]).toEqual(octet);
    expect(wrapped.length).toBe(outer.length + 18 + octet.length + size);
  });
});

describe("importRsaSigningKey", () => {
  it("imports DocuSign's PKCS#1 PEM (BEGIN RSA PRIVATE KEY) as an RS256 signing key", async () => {
    const key = await importRsaSigningKey(pair.pkcs1Pem);
    expect(key.algorithm).toMatchObject({ name: "RSASSA-PKCS1-v1_5", hash: { name: "SHA-256" } });
    expect(await signsFor(key, pair.publicKey)).toBe(true);
  });

  it("imports a PKCS#8 PEM (BEGIN PRIVATE KEY) as is", async () => {
    expect(await signsFor(await importRsaSigningKey(pair.pkcs8Pem), pair.publicKey)).toBe(true);
  });

  it("accepts Windows line endings, surrounding whitespace and unwrapped base64", async () => {
    const crlf = `\n  ${pair.pkcs1Pem.replace(/\n/g, "\r\n")}  \n`;
    const oneLine = pair.pkcs1Pem.replace(/\n(?!-----END)/g, "").replace("KEY-----", "KEY-----\n");
    expect(await signsFor(await importRsaSigningKey(crlf), pair.publicKey)).toBe(true);
    expect(await signsFor(await importRsaSigningKey(oneLine), pair.publicKey)).toBe(true);
  });

  it.each([
    ["not a PEM", "not a key"],
    ["mismatched BEGIN/END", pair.pkcs1Pem.replace("END RSA PRIVATE KEY", "END PRIVATE KEY")],
    ["PKCS#8 content under a PKCS#1 label", pair.pkcs8Pem.replace(/PRIVATE KEY/g, "RSA PRIVATE KEY")],
    ["garbage base64", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAgarbagegarbagegarbagegarbagegarbagegarbagegarbagegarbage\n-----END RSA PRIVATE KEY-----"],
    ["an EC key", createPrivateKeyPem("ec")],
  ])("refuses %s with ERR_DOCUSIGN_PRIVATE_KEY, never quoting it", async (_, pem) => {
    const error = (await importRsaSigningKey(pem).catch((e: unknown) => e)) as DocuSignSetupError;
    expect(error).toBeInstanceOf(DocuSignSetupError);
    expect(error.code).toBe("ERR_DOCUSIGN_PRIVATE_KEY");
    if (pem.length > 80) expect(error.message).not.toContain(pem.slice(40, 80));
  });
});

function createPrivateKeyPem(type: "ec"): string {
  return generateKeyPairSync(type, { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}
