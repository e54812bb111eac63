import { describe, expect, it } from "vitest";
import { timingSafeEqual } from "./timing-safe-equal.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

describe("timingSafeEqual", () => {
  const mac = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);

  it("is true for equal bytes in different arrays", () => {
    expect(timingSafeEqual(mac, mac.slice())).toBe(true);
  });

  it("is false when the first byte differs", () => {
    const other = mac.slice();
    other[0] = other[0]! ^ 0x01;
    expect(timingSafeEqual(mac, other)).toBe(false);
  });

  it("is false when the last byte differs", () => {
    const other = mac.slice();
    other[other.length - 1] = other[other.length - 1]! ^ 0x80;
    expect(timingSafeEqual(mac, other)).toBe(false);
  });

  it("is false, without throwing, for different lengths", () => {
    expect(() => timingSafeEqual(mac, mac.subarray(0, 31))).not.toThrow();
    expect(timingSafeEqual(mac, mac.subarray(0, 31))).toBe(false);
    expect(timingSafeEqual(bytes(1, 2), bytes(1, 2, 0))).toBe(false);
    expect(timingSafeEqual(bytes(), bytes(0))).toBe(false);
  });

  it("is true for two empty arrays", () => {
    expect(timingSafeEqual(bytes(), bytes())).toBe(true);
  });
});
