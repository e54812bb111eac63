import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { importEncryptionKey, type EncryptionKey } from "./encryption-key.ts";
import { createCredentialVault, VaultError, type SealedEnvelope, type VaultBinding } from "./vault.ts";

const newKey = (): Promise<EncryptionKey> => importEncryptionKey(new Uint8Array(randomBytes(32)));

const TENANT_A = "6f1c1f5e-3a52-4b4e-9d2f-2f0a6b1d8c01";
const TENANT_B = "0b7f3c2d-8e41-4f6a-a5b9-1c2d3e4f5a6b";
const STRIPE_A: VaultBinding = { tenantId: TENANT_A, integrationKey: "stripe" };
const CREDENTIALS = { secretKey: "sk_test_51VerySecretValue0000", webhookSecret: "whsec_DoNotLeakMe_123456" };

const key = await newKey();
const vault = createCredentialVault(key);

async function openError(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(() => expect.unreachable("open should have failed"), (e: unknown) => e);
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

/** The envelope with one byte of a base64url field flipped (decoded and re-encoded, so the bytes really change). */
function flipByte(envelope: SealedEnvelope, field: "iv" | "ct", index = 0): SealedEnvelope {
  const bytes = Buffer.from(envelope[field], "base64url");
  bytes[index] = bytes[index]! ^ 0x01;
  return { ...envelope, [field]: bytes.toString("base64url") };
}

describe("credential vault", () => {
  it("opens what it sealed", async () => {
    const sealed = await vault.seal(CREDENTIALS, STRIPE_A);
    await expect(vault.open(sealed, STRIPE_A)).resolves.toEqual(CREDENTIALS);
  });

  it("round-trips unicode and nested values", async () => {
    const value = { name: "Zoë — 学費 🎓", hmacKeys: ["k1", "k2"], nested: { n: 1, ok: true, none: null } };
    await expect(vault.open(await vault.seal(value, STRIPE_A), STRIPE_A)).resolves.toEqual(value);
  });

  it("uses a fresh 96-bit IV for every seal", async () => {
    const first = await vault.seal(CREDENTIALS, STRIPE_A);
    const second = await vault.seal(CREDENTIALS, STRIPE_A);
    expect(Buffer.from(first.iv, "base64url")).toHaveLength(12);
    expect(second.iv).not.toBe(first.iv);
    expect(second.ct).not.toBe(first.ct);
  });

  it("names the sealing key in the envelope", async () => {
    expect(await vault.seal(CREDENTIALS, STRIPE_A)).toMatchObject({ v: 1, kid: key.id });
  });

  it("stores no plaintext in the envelope", async () => {
    const sealed = await vault.seal(CREDENTIALS, STRIPE_A);
    const stored = JSON.stringify(sealed);
    const ciphertext = Buffer.from(sealed.ct, "base64url");
    for (const secret of Object.values(CREDENTIALS)) {
      expect(stored).not.toContain(secret);
      // Not merely encoded: the decoded ciphertext does not hold the secret's bytes either.
      expect(ciphertext.includes(Buffer.from(secret))).toBe(false);
    }
    expect(Object.keys(sealed).sort()).toEqual(["ct", "iv", "kid", "v"]);
  });

  it("does not open a ciphertext copied to another tenant", async () => {
    const sealed = await vault.seal(CREDENTIALS, STRIPE_A);
    expect((await openError(vault.open(sealed, { tenantId: TENANT_B, integrationKey: "stripe" }))).code).toBe("ERR_VAULT_DECRYPT");
  });

  it("does not open a ciphertext copied to another integration of the same tenant", async () => {
    const sealed = await vault.seal(CREDENTIALS, STRIPE_A);
    expect((await openError(vault.open(sealed, { tenantId: TENANT_A, integrationKey: "zoom" }))).code).toBe("ERR_VAULT_DECRYPT");
  });

  it("does not open a tampered ciphertext, auth tag or IV", async () => {
    const sealed = await vault.seal(CREDENTIALS, STRIPE_A);
    const lastByte = Buffer.from(sealed.ct, "base64url").length - 1;
    for (const tampered of [flipByte(sealed, "ct", 0), flipByte(sealed, "ct", lastByte), flipByte(sealed, "iv")]) {
      expect((await openError(vault.open(tampered, STRIPE_A))).code).toBe("ERR_VAULT_DECRYPT");
    }
  });

  it("rejects what is not an envelope", async () => {
    const sealed = await vault.seal(CREDENTIALS, STRIPE_A);
    for (const stored of [null, "text", CREDENTIALS, { ...sealed, v: 2 }, { ...sealed, iv: "!!" }, { ...sealed, iv: Buffer.alloc(8).toString("base64url") }]) {
      expect((await openError(vault.open(stored, STRIPE_A))).code).toBe("ERR_VAULT_ENVELOPE");
    }
  });

  it("never puts plaintext or key material in an error message", async () => {
    const sealed = await vault.seal(CREDENTIALS, STRIPE_A);
    const error = await openError(vault.open(sealed, { tenantId: TENANT_B, integrationKey: "stripe" }));
    for (const secret of Object.values(CREDENTIALS)) expect(error.message).not.toContain(secret);
  });
});

describe("credential vault key rotation", () => {
  it("opens an envelope sealed under an old key that is listed in previous", async () => {
    const oldKey = await newKey();
    const sealed = await createCredentialVault(oldKey).seal(CREDENTIALS, STRIPE_A);
    const rotated = createCredentialVault(await newKey(), [oldKey]);
    await expect(rotated.open(sealed, STRIPE_A)).resolves.toEqual(CREDENTIALS);
  });

  it("seals new writes with the current key, not the old one", async () => {
    const oldKey = await newKey();
    const currentKey = await newKey();
    const resealed = await createCredentialVault(currentKey, [oldKey]).seal(CREDENTIALS, STRIPE_A);
    expect(resealed.kid).toBe(currentKey.id);
    await expect(createCredentialVault(currentKey).open(resealed, STRIPE_A)).resolves.toEqual(CREDENTIALS);
  });

  it("fails with ERR_VAULT_UNKNOWN_KEY when the old key is no longer configured", async () => {
    const oldKey = await newKey();
    const sealed = await createCredentialVault(oldKey).seal(CREDENTIALS, STRIPE_A);
    const error = await openError(createCredentialVault(await newKey(), [await newKey()]).open(sealed, STRIPE_A));
    expect(error.code).toBe("ERR_VAULT_UNKNOWN_KEY");
  });

  it("does not accept an envelope relabelled with another configured key's id", async () => {
    const oldKey = await newKey();
    const currentKey = await newKey();
    const sealed = await createCredentialVault(oldKey).seal(CREDENTIALS, STRIPE_A);
    const relabelled = { ...sealed, kid: currentKey.id };
    expect((await openError(createCredentialVault(currentKey, [oldKey]).open(relabelled, STRIPE_A))).code).toBe("ERR_VAULT_DECRYPT");
  });
});
