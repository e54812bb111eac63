import type { Db, Row } from "../../functions/_shared/db/port.ts";

/** What recordingDb saw: every statement's text, and those that store webhook events. */
export interface RecordedStatements {
  db: Db;
  /** Every statement sent through `db`, inside transactions too, in order. */
  texts: string[];
  /** The statements that store webhook events, each with how many events it stores (its inserts). */
  stores: { text: string; events: number }[];
}

const STORE = "insert into webhook_events";

/**
 * `inner`, recording the statements sent through it: for tests that count round trips (how many statements
 * an outbox run or a group of webhook events costs).
 * @example const recorded = recordingDb(pool); … expect(recorded.stores.map((s) => s.events)).toEqual([4, 4]);
 */
export function recordingDb(inner: Db): RecordedStatements {
  const recorded: RecordedStatements = { db: inner, texts: [], stores: [] };
  const wrap = (db: Db): Db => ({
    query<T extends Row = Row>(text: string, params?: readonly unknown[]) {
      recorded.texts.push(text);
      if (text.includes(STORE)) recorded.stores.push({ text, events: text.split(STORE).length - 1 });
      return db.query<T>(text, params);
    },
    transaction: (work) => db.transaction((tx) => work(wrap(tx))),
    execScript: (script) => db.execScript(script),
  });
  recorded.db = wrap(inner);
  return recorded;
}
