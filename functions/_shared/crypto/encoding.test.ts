import { randomBytes, randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  base64ToBytes, bytesToBase64, bytesToBase64Url, bytesToHex, concatBytes, hexToBytes, utf8Bytes, utf8Text,
} from "./encoding.ts";

// Lengths 0–3 cover every base64 padding case; 100 000 spans several of bytesToBase64's 32 KiB chunks.
const samples = [0, 1, 2, 3, 4, 31, 32, 33, 255, 100_000].map((n) => new Uint8Array(randomBytes(n)));
const sameBytes = (actual: Uint8Array | undefined, expected: Uint8Array) => {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(Buffer.from(actual!).equals(Buffer.from(expected))).toBe(true);
};

describe("hex", () => {
  it.each(samples.map((s) => [s.length, s] as const))("round-trips %i bytes like Buffer", (_, input) => {
    const hex = bytesToHex(input);
    expect(hex).toBe(Buffer.from(input).toString("hex"));
    sameBytes(hexToBytes(hex), input);
  });

  it("reads upper-case hex", () => {
    sameBytes(hexToBytes("01FFaB"), new Uint8Array([0x01, 0xff, 0xab]));
  });

  it.each(["0", "abc", "zz", "0x01", "01 ff", "01-ff", "éé"])("returns undefined for %j", (input) => {
    expect(hexToBytes(input)).toBeUndefined();
  });
});

describe("base64 and base64url", () => {
  it.each(samples.map((s) => [s.length, s] as const))("round-trips %i bytes like Buffer", (_, input) => {
    const base64 = bytesToBase64(input);
    const base64url = bytesToBase64Url(input);
    expect(base64).toBe(Buffer.from(input).toString("base64"));
    expect(base64url).toBe(Buffer.from(input).toString("base64url"));
    sameBytes(base64ToBytes(base64), input);
    sameBytes(base64ToBytes(base64url), input);
  });

  it("reads base64 without padding and base64url with padding", () => {
    const input = new Uint8Array([0xfb, 0xff, 0xfe, 0x00]);
    sameBytes(base64ToBytes(Buffer.from(input).toString("base64").replace(/=+$/, "")), input);
    sameBytes(base64ToBytes(`${Buffer.from(input).toString("base64url")}==`), input);
  });

  it("decodes what Buffer encodes, on random inputs", () => {
    for (let i = 0; i < 200; i++) {
      const input = new Uint8Array(randomBytes(randomInt(64)));
      sameBytes(base64ToBytes(Buffer.from(input).toString("base64")), input);
      sameBytes(base64ToBytes(Buffer.from(input).toString("base64url")), input);
    }
  });

  it.each(["a", "abcde", "ab!c", "ab c", "a===", "=abc", "ab=c", "aGk=\n", "é"])("returns undefined for %j", (input) => {
    expect(base64ToBytes(input)).toBeUndefined();
  });
});

describe("utf8 and concat", () => {
  it("encodes and decodes UTF-8 like Buffer", () => {
    const text = "Zoë — 学費 ✓ 🎓";
    sameBytes(utf8Bytes(text), Buffer.from(text, "utf8"));
    expect(utf8Text(utf8Bytes(text))).toBe(text);
  });

  it("decodes invalid UTF-8 to U+FFFD instead of throwing", () => {
    expect(utf8Text(new Uint8Array([0x61, 0xff, 0x62]))).toBe("a\uFFFDb");
  });

  it("concatenates in order", () => {
    sameBytes(concatBytes(utf8Bytes("t."), new Uint8Array(), new Uint8Array([0xff])), new Uint8Array([0x74, 0x2e, 0xff]));
    expect(concatBytes()).toHaveLength(0);
  });
});
