// PostgreSQL work per event, for ours and the peer alike: statements sent (counted client-side, BEGIN/COMMIT
// included — the cluster has no pg_stat_statements preloaded, and that needs a restart), rows written
// (pg_stat_database delta of tup_inserted + tup_updated + tup_deleted, for the bench database only) and WAL
// bytes (pg_wal_lsn_diff of pg_current_wal_lsn, cluster-wide).
// Each sample runs on pools of its own that are closed before the counters are read: a backend flushes its
// pending statistics when it exits (an idle one may hold them up to 10 s). WAL is cluster-wide, so other work
// on the machine only ever adds to it: the figure kept is the smallest of the samples.
import type { Db } from "../functions/_shared/db/port.ts";

export interface PgWork {
  statements: number;
  rowsWritten: number;
  walBytes: number;
}

interface Counters {
  lsn: string;
  rows: number;
}

async function counters(db: Db): Promise<Counters> {
  // Its own pending statistics flushed first (PostgreSQL 15+), then a fresh statistics snapshot.
  await db.query("select pg_stat_force_next_flush()");
  await db.query("select pg_stat_clear_snapshot()");
  const [row] = await db.query<{ lsn: string; rows: string }>(
    `select pg_current_wal_lsn()::text as lsn,
            (tup_inserted + tup_updated + tup_deleted)::text as rows
       from pg_stat_database where datname = current_database()`,
  );
  return { lsn: row!.lsn, rows: Number(row!.rows) };
}

async function walSince(db: Db, lsn: string): Promise<number> {
  const [row] = await db.query<{ bytes: string }>("select pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text as bytes", [lsn]);
  return Number(row!.bytes);
}

/** Waits until the closed pools' backends are gone (their statistics flushed), at most ~2 s. */
async function backendsGone(db: Db, applicationNames: readonly string[]): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const [row] = await db.query<{ n: number }>(
      "select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = any(string_to_array($1, ','))",
      [applicationNames.join(",")],
    );
    if (row!.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * One sample: `run` ingests `events` events on pools it opens and closes itself, returning the statements it
 * sent; `observer` is a connection outside those pools. The observer's own reads are subtracted.
 */
export async function measurePgWork(
  observer: Db, events: number, applicationNames: readonly string[], run: () => Promise<number>,
): Promise<PgWork> {
  const before = await counters(observer);
  const statements = await run();
  const walBytes = await walSince(observer, before.lsn);
  await backendsGone(observer, applicationNames);
  const after = await counters(observer);
  return {
    statements: statements / events,
    rowsWritten: (after.rows - before.rows) / events,
    walBytes: walBytes / events,
  };
}

/** Per figure, the smallest over the samples (other work only ever adds to the shared counters). */
export function leastWork(samples: readonly PgWork[]): PgWork {
  const least = (pick: (w: PgWork) => number) => Math.min(...samples.map(pick));
  return {
    statements: least((w) => w.statements),
    rowsWritten: least((w) => w.rowsWritten), walBytes: least((w) => w.walBytes),
  };
}
