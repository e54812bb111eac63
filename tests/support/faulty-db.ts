import type { Db, Row } from "../../functions/_shared/db/port.ts";

/**
 * A Db that throws from `query` when `fail(text)` says so, inside transactions too (the real rollback still
 * happens): for "the database drops mid-apply" and "an effect fails" cases.
 * @example const lost = faultyDb(db, (sql) => (sql.includes("insert into payments") ? new DbUnavailableError("…") : undefined));
 */
export function faultyDb(inner: Db, fail: (text: string) => Error | undefined): Db {
  const wrap = (db: Db): Db => ({
    async query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]> {
      const error = fail(text);
      if (error) throw error;
      return db.query<R>(text, params);
    },
    transaction: (work) => db.transaction((tx) => work(wrap(tx))),
    execScript: (script) => db.execScript(script),
  });
  return wrap(inner);
}
