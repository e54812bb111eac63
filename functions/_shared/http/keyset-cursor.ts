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
