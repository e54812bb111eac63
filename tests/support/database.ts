import { createPgliteDb } from "../../functions/_shared/db/pglite.ts";
import { migrate } from "../../functions/_shared/db/migrate.ts";
import type { DbPool } from "../../functions/_shared/db/port.ts";
import { createPostgresDb } from "../../functions/_shared/db/postgres.ts";
import { loadMigrations } from "../../functions/runtimes/node/migrations.ts";

/** The real PostgreSQL the suite runs against when set (CI sets DATABASE_URL); else only PGlite. */
export const REAL_DATABASE_URL = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

export type AdapterName = "postgres" | "pglite";

/** The adapters to run adapter-parametrised suites on: PGlite always, PostgreSQL when configured. */
export const ADAPTERS: AdapterName[] = REAL_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

/** A migrated database on the given adapter (PGlite in memory: fresh per call). Close it in afterAll. */
export async function openTestDatabase(adapter: AdapterName = REAL_DATABASE_URL ? "postgres" : "pglite"): Promise<DbPool> {
  const db = adapter === "postgres"
    ? createPostgresDb(REAL_DATABASE_URL!, { max: 8 })
    : await createPgliteDb();
  await migrate(db, await loadMigrations());
  return db;
}
