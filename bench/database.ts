// The real PostgreSQL the ingest bench runs on: created when missing, migrated like any Node process's.
import type { DbPool } from "../functions/_shared/db/port.ts";
import { createPostgresDb } from "../functions/_shared/db/postgres.ts";
import { openDatabase } from "../functions/runtimes/node/database.ts";

export const BENCH_DATABASE_URL = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/ips_dev";

/** Creates the URL's database through the `postgres` maintenance database when it does not exist. */
async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name || name === "postgres") return;
  const maintenance = new URL(url);
  maintenance.pathname = "/postgres";
  const admin = createPostgresDb(maintenance.toString(), { max: 1 });
  try {
    const existing = await admin.query("select 1 from pg_database where datname = $1", [name]);
    if (existing.length === 0) await admin.execScript(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.close();
  }
}

/** A migrated pool of at least `max` connections on the bench database. */
export async function openBenchDatabase(max: number): Promise<DbPool> {
  await ensureDatabase(BENCH_DATABASE_URL);
  return openDatabase({ databaseUrl: BENCH_DATABASE_URL, max });
}

/** `postgres://user@host:port/db`, never a password. */
export function describeDatabaseUrl(url = BENCH_DATABASE_URL): string {
  const parsed = new URL(url);
  parsed.password = "";
  return parsed.toString();
}
