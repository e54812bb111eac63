import { describe, expect, it } from "vitest";
import * as z from "zod";
import { dateParam, endOf } from "./date-param.ts";
import { fieldErrors } from "./validation.ts";

const query = z.strictObject({ from: dateParam.optional(), to: dateParam.optional() });
const errorsFor = (input: Record<string, string>) => {
  const parsed = query.safeParse(input);
  return parsed.success ? undefined : fieldErrors(parsed.error);
};

describe("dateParam", () => {
  it("reads a date as its whole UTC day and a date-time with an offset as that instant", () => {
    const parsed = query.parse({ from: "2026-01-31", to: "2026-02-01T10:30:00+02:00" });
    expect(parsed.from).toEqual({ at: new Date("2026-01-31T00:00:00Z"), wholeDay: true });
    expect(endOf(parsed.from!)).toEqual(new Date("2026-02-01T00:00:00Z"));
    expect(parsed.to).toEqual({ at: new Date("2026-02-01T08:30:00Z"), wholeDay: false });
    expect(endOf(parsed.to!)).toEqual(new Date("2026-02-01T08:30:00Z"));
  });

  it.each(["1970-01-01", "9998-12-31", "9998-12-31T23:59:59.999-14:00", "1970-01-01T00:00:00Z"])("accepts %s, at the edge of the years allowed", (value) => {
    const parsed = query.parse({ to: value });
    expect(Number.isNaN(endOf(parsed.to!).getTime())).toBe(false);
    // What PostgreSQL is sent: a four-digit year, never +010000.
    expect(endOf(parsed.to!).toISOString()).toMatch(/^\d{4}-/);
  });

  it.each([
    ["9999-12-31", "must be between 1970-01-01 and 9998-12-31"],
    ["9999-01-01T00:00:00Z", "must be between 1970-01-01 and 9998-12-31"],
    ["1969-12-31", "must be between 1970-01-01 and 9998-12-31"],
    ["0000-01-01", "must be between 1970-01-01 and 9998-12-31"],
    ["yesterday", "must be a date (2026-01-31) or an ISO 8601 date-time with offset"],
    ["2026-02-30", "must be a date (2026-01-31) or an ISO 8601 date-time with offset"],
    ["2026-01-31T10:00:00", "must be a date (2026-01-31) or an ISO 8601 date-time with offset"],
    ["+010000-01-01", "must be a date (2026-01-31) or an ISO 8601 date-time with offset"],
    ["", "must be a date (2026-01-31) or an ISO 8601 date-time with offset"],
  ])("refuses %s under the parameter's own name", (value, message) => {
    expect(errorsFor({ to: value })).toEqual({ to: [message] });
    expect(errorsFor({ from: value })).toEqual({ from: [message] });
  });
});
