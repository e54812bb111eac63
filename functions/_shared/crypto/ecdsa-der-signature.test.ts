import { generateKeyPairSync, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { derToRawEcdsaSignature } from "./ecdsa-der-signature.ts";

const bytes = (...values: number[]) => new Uint8Array(values);
const filled = (length: number, value: number) => new Array<number>(length).fill(value);
/** `SEQUENCE { INTEGER r, INTEGER s }` from the given INTEGER contents, lengths computed (short form). */
const der = (r: number[], s: number[]) => bytes(0x30, r.length + s.length + 4, 0x02, r.length, ...r, 0x02, s.length, ...s);

describe("derToRawEcdsaSignature", () => {
  it("turns Node's DER signatures into r‖s that Node verifies as IEEE P1363 for many P-256 signatures (short r and s included)", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    // About 1 in 256 signatures has an r (or s) shorter than 32 bytes: sign until both paddings were exercised.
    let shortR = 0;
    let shortS = 0;
    for (let i = 0; i < 300 || ((shortR === 0 || shortS === 0) && i < 50_000); i++) {
      const message = Buffer.from(`message ${i}`);
      // ECDSA is randomized, so both encodings cannot come from two signings: Node checks our r‖s instead.
      const derSignature = new Uint8Array(sign("sha256", message, { key: privateKey, dsaEncoding: "der" }));
      const rLength = derSignature[3]!;
      const sLength = derSignature[4 + rLength + 1]!;
      if (rLength < 32) shortR++;
      if (sLength < 32) shortS++;
      const raw = derToRawEcdsaSignature(derSignature);
      expect(raw).toHaveLength(64);
      expect(verify("sha256", message, { key: publicKey, dsaEncoding: "ieee-p1363" }, raw!)).toBe(true);
    }
    expect(shortR).toBeGreaterThan(0);
    expect(shortS).toBeGreaterThan(0);
  });

  it("left-pads short integers and strips the sign byte of high ones", () => {
    const raw = derToRawEcdsaSignature(der([0x01], [0x00, 0xff, ...filled(31, 0xee)]))!;
    expect(raw.subarray(0, 32)).toEqual(bytes(...filled(31, 0), 0x01));
    expect(raw.subarray(32)).toEqual(bytes(0xff, ...filled(31, 0xee)));
  });

  it("converts for P-384 too (48-byte halves)", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "secp384r1" });
    const derSignature = sign("sha384", Buffer.from("x"), { key: privateKey, dsaEncoding: "der" });
    expect(derToRawEcdsaSignature(new Uint8Array(derSignature), 48)).toHaveLength(96);
  });

  const ok = filled(32, 0x11);
  it.each([
    ["empty input", bytes()],
    ["not a SEQUENCE", bytes(0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01)],
    ["a SEQUENCE length longer than the input", bytes(0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01)],
    ["a SEQUENCE length shorter than the input (trailing bytes)", bytes(...der([0x01], [0x01]), 0x00)],
    ["a long-form SEQUENCE length", bytes(0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01)],
    ["a long-form INTEGER length", bytes(0x30, 0x07, 0x02, 0x81, 0x01, 0x01, 0x02, 0x01, 0x01)],
    ["only one INTEGER", bytes(0x30, 0x03, 0x02, 0x01, 0x01)],
    ["three INTEGERs", bytes(0x30, 0x09, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01)],
    ["an element that is not an INTEGER", bytes(0x30, 0x06, 0x02, 0x01, 0x01, 0x04, 0x01, 0x01)],
    ["an empty INTEGER", bytes(0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x01)],
    ["a truncated INTEGER", bytes(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x05, 0x01)],
    ["a negative r", der([0x80, ...filled(31, 0x01)], ok)],
    ["a negative s", der(ok, [0xff])],
    ["a needless leading zero", der([0x00, 0x7f], ok)],
    ["a zero r", der([0x00], ok)],
    ["an r longer than the curve", der([0x01, ...ok], ok)],
    ["an r of 33 bytes without a sign byte", der([0x01, ...filled(32, 0x80)], ok)],
  ])("refuses %s (undefined, no throw)", (_, input) => {
    expect(derToRawEcdsaSignature(input)).toBeUndefined();
  });

  it("never throws on random bytes", () => {
    for (let i = 0; i < 2000; i++) {
      const input = crypto.getRandomValues(new Uint8Array(Math.floor(Math.random() * 80)));
      if (i % 2) input[0] = 0x30;
      expect(() => derToRawEcdsaSignature(input)).not.toThrow();
    }
  });
});
