import { PGlite, types, type Transaction } from "@electric-sql/pglite";
import type { Db, DbPool, Row } from "./port.ts";

const parsers = { [types.INT8]: (value: string) => Number(value) };

function adapt(pg: PGlite | Transaction): Db {
  const db: Db = {
    async query<T extends Row = Row>(text: string, params: readonly unknown[] = []) {
      const result = await pg.query<T>(text, params as unknown[], { parsers });
      return result.rows;
    },
    async transaction(work) {
      if (!("transaction" in pg)) return work(db);
      return pg.transaction((tx) => work(adapt(tx)));
    },
    async execScript(script) {
      await pg.exec(script);
    },
  };
  return db;
}

/**
 * A Db on embedded PGlite (Postgres compiled to WASM): in memory when `dataDir` is omitted, persisted otherwise.
 * One backend: transactions serialize, so row-lock behaviour is only tested on the real PostgreSQL.
 * @example const db = await createPgliteDb(".data/pglite");
 */
export async function createPgliteDb(dataDir?: string): Promise<DbPool> {
  const pg = await PGlite.create(dataDir);
  return {
    ...adapt(pg),
    kind: "pglite",
    close: () => pg.close(),
  };
}
