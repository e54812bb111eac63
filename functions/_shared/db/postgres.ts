// postgres.js with the closed-socket fix (porsager/postgres#1208), vendored so every runtime loads the same fixed
// driver: Node and Lambda bundles as well as Supabase's Deno bundle, which never sees node_modules.
import postgres from "./postgres-js/index.js";
import { DbUnavailableError, isUnavailableError, type Db, type DbPool, type Row } from "./port.ts";

export interface PostgresOptions {
  /** Pool size; keep small on Lambda/edge, where each instance has its own pool. */
  max?: number;
  /**
   * Named prepared statements: on for direct connections, where they save a parse per query; off by
   * default behind transaction poolers (see usesTransactionPooler).
   */
  prepare?: boolean;
  /**
   * Milliseconds a statement may go unanswered before it fails with DbUnavailableError (0: never). Default
   * QUERY_TIMEOUT_MS. Scripts (execScript: migrations) are never bounded.
   */
  queryTimeoutMs?: number;
}

function wrapError(error: unknown): unknown {
  return isUnavailableError(error)
    ? new DbUnavailableError(`database unavailable: ${(error as { code: string }).code}`, { cause: error })
    : error;
}

/**
 * Poolers that hand each transaction a different server connection, where named prepared statements
 * break (Supabase's pooler on :6543, PgBouncer — flagged `?pgbouncer=true` as Prisma and Supabase docs do)
 * or pin the connection (RDS Proxy, `*.proxy-*.rds.amazonaws.com`).
 */
function usesTransactionPooler(url: URL): boolean {
  return url.port === "6543" || url.searchParams.get("pgbouncer") === "true" || url.hostname.includes(".proxy-");
}

/** How long a transaction waits for a connection of its own before the database counts as unreachable. */
const RESERVE_TIMEOUT_MS = 5_000;

/**
 * A connection of the pool's own for one transaction. postgres.js retries, without end, a connection that
 * closes while it opens (a proxy or pooler up in front of a database that is down) and resolves reserve()
 * only once the database is back: after RESERVE_TIMEOUT_MS this gives up with DbUnavailableError (so a
 * webhook answers 503 instead of hanging to its timeout) and hands the connection back whenever it comes.
 */
async function reserveConnection(sql: postgres.Sql): Promise<postgres.ReservedSql> {
  const reserving = sql.reserve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DbUnavailableError("database unavailable: no connection within the reserve timeout")), RESERVE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([reserving, timeout]);
  } catch (error) {
    reserving.then((connection) => connection.release(), () => {});
    throw wrapError(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Default for PostgresOptions.queryTimeoutMs: below a function's 10 s timeout, so a statement the driver never
 * settles (postgres.js 3.4.9 can leave one pending for good when its connection drops mid-query,
 * porsager/postgres#1186) answers 503 — and the provider retries — instead of hanging the request.
 */
export const QUERY_TIMEOUT_MS = 8_000;

/** A statement that got no answer in time; `pending` is the driver's promise, which may still settle. */
class QueryTimeoutError extends DbUnavailableError {
  constructor(timeoutMs: number, readonly pending: Promise<unknown>) {
    super(`database unavailable: no answer within ${timeoutMs} ms`);
  }
}

/**
 * The statement's answer, or QueryTimeoutError after `timeoutMs`; then it is cancelled (server-side, when its
 * connection is alive) so a slow statement does not keep holding its connection.
 */
async function answered<T>(statement: Promise<unknown> & { cancel(): unknown }, timeoutMs: number): Promise<T> {
  if (!timeoutMs) return (await statement) as unknown as T;
  const pending = Promise.resolve(statement); // Starts it (PendingQuery runs when awaited).
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueryTimeoutError(timeoutMs, pending)), timeoutMs);
  });
  try {
    return (await Promise.race([pending, deadline])) as unknown as T;
  } catch (error) {
    if (error instanceof QueryTimeoutError) {
      pending.catch(() => {});
      Promise.resolve().then(() => statement.cancel()).catch(() => {});
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function adapt(sql: postgres.Sql | postgres.ReservedSql, prepare: boolean, inTransaction: boolean, timeoutMs: number): Db {
  const db: Db = {
    async query<T extends Row = Row>(text: string, params: readonly unknown[] = []) {
      try {
        return await answered<T[]>(sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare }), timeoutMs);
      } catch (error) {
        throw wrapError(error);
      }
    },
    async transaction(work) {
      if (inTransaction) return work(db);
      const connection = await reserveConnection(sql as postgres.Sql);
      let lost = false;
      try {
        // BEGIN is sent without waiting for its answer: postgres.js writes it together with the work's first
        // statement, saving a round trip (and a socket write) per transaction — most of a webhook's cost.
        const begin = connection.unsafe("begin").execute();
        begin.catch(() => {}); // Its failure surfaces through the work's first statement or the await below.
        const result = await work(adapt(connection, prepare, true, timeoutMs));
        await answered(begin, timeoutMs);
        await answered(connection.unsafe("commit"), timeoutMs);
        return result;
      } catch (error) {
        // A lost connection is gone for good: PostgreSQL rolls back what it had open, and postgres.js has put
        // the connection back among its closed ones. ROLLBACK or release() on it would queue a write on a
        // socket that no longer exists, which hangs this call and poisons the pool, or throws from a timer
        // and ends the process (postgres.js 3.4.9, porsager/postgres#1208). tests/fault shows both.
        lost = error instanceof DbUnavailableError || isUnavailableError(error);
        if (!lost) await connection.unsafe("rollback").catch(() => {});
        // A statement that timed out may yet be answered (it was only slow, and is being cancelled): the
        // connection is then alive and goes back to the pool once rolled back; if it never is, it stays out.
        const timedOut = error instanceof QueryTimeoutError ? error : (error as { cause?: unknown })?.cause;
        if (timedOut instanceof QueryTimeoutError) {
          timedOut.pending.then(() => true, (failure: unknown) => !isUnavailableError(failure)).then(async (alive) => {
            if (!alive) return;
            await connection.unsafe("rollback").catch(() => {});
            connection.release();
          }, () => {});
        }
        throw wrapError(error);
      } finally {
        if (!lost) connection.release();
      }
    },
    async execScript(script) {
      try {
        await sql.unsafe(script).simple();
      } catch (error) {
        throw wrapError(error);
      }
    },
  };
  return db;
}

/**
 * A Db on a real PostgreSQL through postgres.js (the driver that also runs on Deno and Lambda).
 * @example const db = createPostgresDb(config.databaseUrl, { max: 4 });
 */
export function createPostgresDb(url: string, options: PostgresOptions = {}): DbPool {
  const parsed = new URL(url);
  const prepare = options.prepare ?? !usesTransactionPooler(parsed);
  // Ours, not a server setting: postgres.js would send it to the server, which rejects unknown parameters.
  parsed.searchParams.delete("pgbouncer");
  const sql = postgres(parsed.toString(), {
    max: options.max ?? 10,
    prepare,
    connect_timeout: 5,
    idle_timeout: 60,
    // Seconds before reconnecting after failed attempts. postgres.js's default grows to 20 s, so an instance
    // kept waiting long after the database was back (tests/fault measured it); queries wait for the reconnect,
    // and a function's timeout is 10 to 15 s. 0.1 s doubling to at most 2 s, jittered.
    backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(0.1 * 2 ** retries, 2),
    onnotice: () => {},
    // No array-type catalog fetch on each new connection: it is a round trip and ~10 KB before the first
    // statement (12 ms of a Lambda cold start, measured by the bench), and its promise is left unhandled, so a
    // failing fetch during a database incident ends the process (porsager/postgres#1192, #1219). The cost:
    // array values neither go in nor come out as arrays (see Db.query); reserve() needs the vendored fix.
    fetch_types: false,
    types: {
      // int8 (counts, minor-unit amounts) as numbers: they stay far below 2^53 here.
      int8: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) },
      // The port passes json/jsonb parameters as JSON text (`$1::jsonb`), as PGlite takes them; postgres.js
      // would otherwise JSON-encode that text a second time.
      json: {
        to: 3802, from: [114, 3802],
        serialize: (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v)),
        parse: (v: string) => JSON.parse(v),
      },
    },
    connection: { application_name: "ips-integrations" },
  });
  return {
    ...adapt(sql, prepare, false, options.queryTimeoutMs ?? QUERY_TIMEOUT_MS),
    kind: "postgres",
    close: () => sql.end({ timeout: 5 }),
  };
}
