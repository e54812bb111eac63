import postgres from "postgres";
import { DbUnavailableError, isUnavailableError, type Db, type DbPool, type Row } from "./port.ts";

export interface PostgresOptions {
  /** Pool size; keep small on Lambda/edge, where each instance has its own pool. */
  max?: number;
  /**
   * Named prepared statements: on for direct connections, where they save a parse per query; off by
   * default behind transaction poolers (see usesTransactionPooler).
   */
  prepare?: boolean;
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

function adapt(sql: postgres.Sql | postgres.ReservedSql, prepare: boolean, inTransaction: boolean): Db {
  const db: Db = {
    async query<T extends Row = Row>(text: string, params: readonly unknown[] = []) {
      try {
        return (await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare })) as unknown as T[];
      } catch (error) {
        throw wrapError(error);
      }
    },
    async transaction(work) {
      if (inTransaction) return work(db);
      let connection: postgres.ReservedSql;
      try {
        connection = await (sql as postgres.Sql).reserve();
      } catch (error) {
        throw wrapError(error);
      }
      try {
        // BEGIN is sent without waiting for its answer: postgres.js writes it together with the work's first
        // statement, saving a round trip (and a socket write) per transaction — most of a webhook's cost.
        const begin = connection.unsafe("begin").execute();
        begin.catch(() => {}); // Its failure surfaces through the work's first statement or the await below.
        const result = await work(adapt(connection, prepare, true));
        await begin;
        await connection.unsafe("commit");
        return result;
      } catch (error) {
        await connection.unsafe("rollback").catch(() => {});
        throw wrapError(error);
      } finally {
        connection.release();
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
    onnotice: () => {},
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
    ...adapt(sql, prepare, false),
    kind: "postgres",
    close: () => sql.end({ timeout: 5 }),
  };
}
