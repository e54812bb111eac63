/** A cell value: text, a number, a date (written as ISO 8601), or nothing (an empty cell). */
export type CsvCell = string | number | boolean | Date | null | undefined;

// A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection"); tab and
// carriage return are on OWASP's list too, as some programs strip them and then read what follows.
const FORMULA_START = /^[=+\-@\t\r]/;

function cellText(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number") return String(value);
  const text = String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function quoted(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * RFC 4180 CSV: a header row, CRLF line ends, fields with a comma, quote or line break quoted (quotes
 * doubled). Text cells that a spreadsheet would run as a formula are prefixed with `'`. Numbers are
 * written as they are, so amounts stay numeric.
 * @example toCsv(["id", "amount"], [["a1", 15000]]) // "id,amount\r\na1,15000\r\n"
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => row.map((cell) => quoted(cellText(cell))).join(",") + "\r\n").join("");
}

/**
 * A CSV download (`text/csv; header=present`, RFC 4180 and 7111) named `filename`.
 * @example return csvResponse("payments.csv", toCsv(header, rows));
 */
export function csvResponse(filename: string, csv: string, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set("content-type", "text/csv; charset=utf-8; header=present");
  h.set("content-disposition", `attachment; filename="${filename.replace(/[^\w.-]/g, "_")}"`);
  h.set("cache-control", "no-store");
  return new Response(csv, { status: 200, headers: h });
}
