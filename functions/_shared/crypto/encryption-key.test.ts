import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { importEncryptionKey, parseKeyMaterial } from "./encryption-key.ts";

// One 32-byte key, printable so it can also be written as a 32-character string.
const KEY_TEXT = "correct-horse-battery-staple-32b";
const KEY_BYTES = Buffer.from(KEY_TEXT, "utf8");

const asBuffer = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes) : undefined);

describe("parseKeyMaterial", () => {
  it("reads the same 32 bytes from each of the three forms", () => {
    expect(KEY_BYTES).toHaveLength(32);
    const forms = {
      hex: KEY_BYTES.toString("hex"),
      upperHex: KEY_BYTES.toString("hex").toUpperCase(),
      base64: KEY_BYTES.toString("base64"),
      base64WithoutPadding: KEY_BYTES.toString("base64").replace(/=+$/, ""),
      base64url: KEY_BYTES.toString("base64url"),
      string: KEY_TEXT,
    };
    for (const [form, value] of Object.entries(forms)) {
      expect(asBuffer(parseKeyMaterial(value)), form).toEqual(KEY_BYTES);
    }
  });

  it("reads random binary keys from hex and base64", () => {
    for (let i = 0; i < 20; i++) {
      const key = randomBytes(32);
      expect(asBuffer(parseKeyMaterial(key.toString("hex")))).toEqual(key);
      expect(asBuffer(parseKeyMaterial(key.toString("base64")))).toEqual(key);
    }
  });

  it("ignores surrounding whitespace (a pasted newline)", () => {
    expect(asBuffer(parseKeyMaterial(`  ${KEY_BYTES.toString("hex")}\n`))).toEqual(KEY_BYTES);
  });

  it.each([
    ["empty", ""],
    ["63 hex characters", "a".repeat(63)],
    ["64 characters, one not hex", "a".repeat(63) + "g"],
    ["62 hex characters", "ab".repeat(31)],
    ["66 hex characters", "ab".repeat(33)],
    ["base64 of 31 bytes", randomBytes(31).toString("base64")],
    ["base64 of 33 bytes", randomBytes(33).toString("base64")],
    ["31-character string", KEY_TEXT.slice(1)],
    ["33-character string", `${KEY_TEXT}x`],
  ])("rejects %s", (_, value) => {
    expect(parseKeyMaterial(value)).toBeUndefined();
  });
});

describe("importEncryptionKey", () => {
  it("names a key by the first 8 hex characters of the SHA-256 of its bytes", async () => {
    const { id } = await importEncryptionKey(new Uint8Array(KEY_BYTES));
    expect(id).toBe(createHash("sha256").update(KEY_BYTES).digest("hex").slice(0, 8));
  });

  it("gives the same id for every form of the same key, and another id for another key", async () => {
    const ids = await Promise.all(
      [KEY_BYTES.toString("hex"), KEY_BYTES.toString("base64"), KEY_TEXT].map(async (v) => (await importEncryptionKey(parseKeyMaterial(v)!)).id),
    );
    expect(new Set(ids).size).toBe(1);
    const other = await importEncryptionKey(new Uint8Array(randomBytes(32)));
    expect(other.id).not.toBe(ids[0]);
  });

  it("imports a non-extractable AES-GCM key", async () => {
    const { key } = await importEncryptionKey(new Uint8Array(KEY_BYTES));
    expect(key.algorithm.name).toBe("AES-GCM");
    expect(key.extractable).toBe(false);
    expect([...key.usages].sort()).toEqual(["decrypt", "encrypt"]);
  });
});
