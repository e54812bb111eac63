import { migrate } from "../../functions/_shared/db/migrate.ts";
import type { DbPool } from "../../functions/_shared/db/port.ts";
import { createPostgresDb } from "../../functions/_shared/db/postgres.ts";
import { loadMigrations } from "../../functions/runtimes/node/migrations.ts";
import { REAL_DATABASE_URL, openTestDatabase, type AdapterName } from "./database.ts";

/** A migrated database of one's own on the real PostgreSQL server, dropped by `drop()`. */
export interface PrivateDatabase {
  /** Its connection string (same server, user and options as REAL_DATABASE_URL). */
  url: string;
  db: DbPool;
  drop(): Promise<void>;
}

/**
 * A fresh database on the test server for suites whose code works across tenants (the retry job takes every
 * due event; the load run counts every stored one), so that suites running in parallel on the shared test
 * database neither see nor disturb each other's rows. `migrated: false` leaves it empty (migration runner tests).
 * @example const { db, drop } = await openPrivateDatabase("retry"); afterAll(drop);
 */
export async function openPrivateDatabase(label: string, options: { max?: number; migrated?: boolean } = {}): Promise<PrivateDatabase> {
  if (!REAL_DATABASE_URL) throw new Error("openPrivateDatabase needs DATABASE_URL or TEST_DATABASE_URL");
  const name = `ips_${label.replace(/\W/g, "_")}_${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`;
  const admin = createPostgresDb(REAL_DATABASE_URL, { max: 1 });
  await admin.execScript(`create database ${name}`);
  const url = new URL(REAL_DATABASE_URL);
  url.pathname = `/${name}`;
  const db = createPostgresDb(url.toString(), { max: options.max ?? 8 });
  if (options.migrated !== false) await migrate(db, await loadMigrations());
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.close().catch(() => {});
      await admin.execScript(`drop database if exists ${name} with (force)`).finally(() => admin.close());
    },
  };
}

/**
 * A database of this suite's own on `adapter`: an in-memory PGlite (always private), or a private
 * PostgreSQL database. Close it with `close()`.
 */
export async function openIsolatedDatabase(adapter: AdapterName, label: string): Promise<{ db: DbPool; close: () => Promise<void> }> {
  if (adapter === "pglite") {
    const db = await openTestDatabase("pglite");
    return { db, close: () => db.close() };
  }
  const { db, drop } = await openPrivateDatabase(label);
  return { db, close: drop };
}
