import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, keysetPage, rowPosition } from "./keyset-cursor.ts";

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

  describe("keysetPage", () => {
    const rows = [1, 2, 3].map((n) => ({ id: `00000000-0000-4000-8000-00000000000${n}`, created_micros: 1_769_940_000_000_000 - n }));

    it("keeps `limit` rows and points the cursor at the last one kept, not at the extra row", () => {
      const { page, nextCursor } = keysetPage(rows, 2, rowPosition);
      expect(page).toEqual(rows.slice(0, 2));
      expect(decodeCursor(nextCursor!)).toEqual({ createdAtMicros: rows[1]!.created_micros, id: rows[1]!.id });
    });

    it("has no next cursor when the read found no extra row", () => {
      expect(keysetPage(rows, 3, rowPosition)).toEqual({ page: rows, nextCursor: null });
      expect(keysetPage([], 3, rowPosition)).toEqual({ page: [], nextCursor: null });
    });

    it("takes the position from rows of any shape", () => {
      const shaped = rows.map((row) => ({ key: row.id, micros: row.created_micros }));
      const { nextCursor } = keysetPage(shaped, 1, (row) => ({ createdAtMicros: row.micros, id: row.key }));
      expect(nextCursor).toBe(encodeCursor({ createdAtMicros: rows[0]!.created_micros, id: rows[0]!.id }));
    });
  });
});
