// The baseline for ingest: one autocommitted single-row INSERT of a similar jsonb payload per call, through
// the same postgres.js Db adapter and pool. What the database alone costs at that concurrency.
import type { Db } from "../functions/_shared/db/port.ts";
import { runPool, throughputOf, type Throughput } from "./pool.ts";

const TABLE = "bench_plain_insert";

/** A table shaped like `webhook_events`' hot part (uuid key, jsonb payload, timestamp). */
export async function createPlainTable(db: Db): Promise<void> {
  await db.execScript(`
    drop table if exists ${TABLE};
    create table ${TABLE} (
      id uuid primary key default gen_random_uuid(),
      payload jsonb not null,
      created_at timestamptz not null default now()
    );`);
}

export async function dropPlainTable(db: Db): Promise<void> {
  await db.execScript(`drop table if exists ${TABLE}`);
}

/** Inserts every body once at `concurrency`; returns rows/s and latency. */
export async function benchPlainInsert(db: Db, bodies: readonly string[], concurrency: number): Promise<Throughput> {
  const run = await runPool(bodies.length, concurrency, (i) =>
    db.query(`insert into ${TABLE} (payload) values ($1::jsonb)`, [bodies[i]]));
  return throughputOf(run);
}
