import { describe, expect, it } from "vitest";
import { csvResponse, toCsv } from "./csv.ts";

describe("toCsv", () => {
  it("writes a header row and CRLF-terminated rows", () => {
    expect(toCsv(["id", "amount"], [["a1", 15000], ["a2", 0]])).toBe("id,amount\r\na1,15000\r\na2,0\r\n");
  });

  it("quotes fields with commas, quotes or line breaks, doubling quotes (RFC 4180)", () => {
    expect(toCsv(["name"], [['Smith, "Jo"'], ["two\nlines"], ["cr\rhere"]])).toBe('name\r\n"Smith, ""Jo"""\r\n"two\nlines"\r\n"cr\rhere"\r\n');
  });

  it("defuses cells a spreadsheet would run as a formula", () => {
    const cells = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\r=1", "a=1", "1-2"];
    expect(toCsv(["c"], cells.map((c) => [c])).split("\r\n").slice(1, -1)).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "\"'\r=1\"", "a=1", "1-2"]);
  });

  it("writes numbers as numbers, dates as ISO 8601, and nothing for null", () => {
    expect(toCsv(["n", "d", "x", "b"], [[-5, new Date("2026-01-02T03:04:05Z"), null, false]])).toBe("n,d,x,b\r\n-5,2026-01-02T03:04:05.000Z,,false\r\n");
  });
});

describe("csvResponse", () => {
  it("is a CSV download with a safe file name", async () => {
    const res = csvResponse('pay"ments\r\n.csv', "a\r\n", { "x-next-cursor": "abc" });
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8; header=present");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="pay_ments__.csv"');
    expect(res.headers.get("x-next-cursor")).toBe("abc");
    expect(await res.text()).toBe("a\r\n");
  });
});
