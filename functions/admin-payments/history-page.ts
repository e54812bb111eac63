import { csvResponse, toCsv, type CsvCell } from "../_shared/http/csv.ts";
import { keysetPage } from "../_shared/http/keyset-cursor.ts";
import { json } from "../_shared/http/responses.ts";
import type { ListQuery } from "./list-query.ts";

/** A listed row: its view plus what the next cursor is made of. */
export interface HistoryRow<V> {
  view: V;
  id: string;
  createdMicros: number;
}

/** How one kind of history is shown: its JSON member name, and its CSV file, header and cells. */
export interface HistoryFormat<V> {
  member: string;
  filename: string;
  header: readonly string[];
  cells: (view: V) => readonly CsvCell[];
}

/**
 * A page of history as JSON (`{ <member>: [...], nextCursor }`) or CSV (the cursor in `x-next-cursor`).
 * `rows` holds up to `limit + 1` rows: one more than the page tells whether there is a next page.
 * @example return historyPage(rows, query, PAYMENTS_FORMAT);
 */
export function historyPage<V>(rows: readonly HistoryRow<V>[], query: ListQuery<string>, format: HistoryFormat<V>): Response {
  const { page, nextCursor } = keysetPage(rows, query.limit, (row) => ({ createdAtMicros: row.createdMicros, id: row.id }));
  if (query.format === "csv") {
    return csvResponse(format.filename, toCsv(format.header, page.map((row) => format.cells(row.view))),
      nextCursor ? { "x-next-cursor": nextCursor } : {});
  }
  return json({ [format.member]: page.map((row) => row.view), nextCursor });
}
