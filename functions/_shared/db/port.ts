/** A row as returned by a query: column name → value (jsonb parsed, int8 as number, timestamps as Date). */
export type Row = Record<string, unknown>;

/**
 * The only database surface handlers use. `$1…$n` placeholders on every adapter; one statement per `query`;
 * json/jsonb parameters are passed as JSON text with a cast (`$1::jsonb`, `JSON.stringify(value)`); a list as
 * one text parameter split in SQL (`= any(string_to_array($1, ','))`), and an array column read back as text
 * (`array_to_string(…)`): the postgres adapter knows no array types (see createPostgresDb), PGlite does, so an
 * array that works on one fails on the other — every adapter-parametrised test runs both.
 * @example const [tenant] = await db.query<{ id: string }>("select id from tenants where id = $1", [id]);
 */
export interface Db {
  query<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs `work` in one transaction; inside it, `tx.transaction` simply reuses the same transaction. */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  /** Runs a multi-statement SQL script without parameters (migrations). */
  execScript(sql: string): Promise<void>;
}

/** A Db that owns its connections. */
export interface DbPool extends Db {
  readonly kind: "postgres" | "pglite";
  close(): Promise<void>;
}

/**
 * The database could not be reached (refused, reset, timed out, shutting down). Webhook handlers answer 503
 * so the provider retries, instead of recording the event as failed.
 */
export class DbUnavailableError extends Error {
  override name = "DbUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH",
  "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED",
  "57P01", "57P02", "57P03", "53300",
]);

/** True for errors that mean "cannot reach the database" rather than "the statement failed". */
export function isUnavailableError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  // SQLSTATE class 08 is "connection exception".
  return UNAVAILABLE_CODES.has(code) || code.startsWith("08");
}
