import { base64ToBytes, bytesToBase64Url, utf8Bytes, utf8Text } from "../crypto/encoding.ts";
import { isUuid } from "./uuid.ts";

/**
 * Where a newest-first page stopped: the last row's `created_at` in microseconds since the epoch (Postgres'
 * own precision, so rows created in the same millisecond are neither skipped nor repeated) and its id.
 */
export interface KeysetPosition {
  createdAtMicros: number;
  id: string;
}

/**
 * The opaque `cursor` a client passes back for the next page (base64url of a small JSON array).
 * @example const nextCursor = encodeCursor({ createdAtMicros: last.created_micros, id: last.id });
 */
export function encodeCursor(position: KeysetPosition): string {
  return bytesToBase64Url(utf8Bytes(JSON.stringify([position.createdAtMicros, position.id])));
}

/**
 * The position inside a cursor made by `encodeCursor`; `undefined` for anything else (a 400, not a 500).
 * @example const after = decodeCursor(query.cursor);
 */
export function decodeCursor(cursor: string): KeysetPosition | undefined {
  const bytes = cursor.length <= 200 ? base64ToBytes(cursor) : undefined;
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(utf8Text(bytes));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [createdAtMicros, id] = value as [unknown, unknown];
    if (typeof createdAtMicros !== "number" || !Number.isSafeInteger(createdAtMicros) || typeof id !== "string" || !isUuid(id)) return undefined;
    return { createdAtMicros, id };
  } catch {
    return undefined;
  }
}

/** One page of a newest-first list, and the cursor to the next one (`null` on the last page). */
export interface KeysetPage<R> {
  page: R[];
  nextCursor: string | null;
}

/**
 * Cuts a list read with `limit + 1` rows down to `limit`: the extra row only says that a next page exists, and
 * the cursor points after the page's last row (not the extra one), so the next page starts with that extra row.
 * @example const { page, nextCursor } = keysetPage(rows, limit, (row) => ({ createdAtMicros: row.created_micros, id: row.id }));
 */
export function keysetPage<R>(rows: readonly R[], limit: number, positionOf: (row: R) => KeysetPosition): KeysetPage<R> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(positionOf(last)) : null };
}

/**
 * Where a row selected with `created_micros` (`created_at` in microseconds) stands, for `keysetPage`.
 * @example const { page, nextCursor } = keysetPage(rows, limit, rowPosition);
 */
export function rowPosition(row: { id: string; created_micros: number }): KeysetPosition {
  return { createdAtMicros: row.created_micros, id: row.id };
}
