import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./keyset-cursor.ts";

const id = "3f1c2b9e-8d7a-4c6b-9e5f-1a2b3c4d5e6f";

describe("keyset cursor", () => {
  it("round-trips a position at microsecond precision as base64url", () => {
    const cursor = encodeCursor({ createdAtMicros: 1_769_940_000_123_457, id });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ createdAtMicros: 1_769_940_000_123_457, id });
  });

  it("refuses anything it did not make", () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    for (const cursor of ["", "!!!", "x".repeat(300), b64({ t: 1, id }), b64([1.5, id]), b64([1, "not-a-uuid"]), b64([1, id, 3]), b64("[1,2]")]) {
      expect(decodeCursor(cursor), cursor).toBeUndefined();
    }
  });
});
