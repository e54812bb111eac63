import { migrate } from "../../_shared/db/migrate.ts";
import { createPgliteDb } from "../../_shared/db/pglite.ts";
import type { DbPool } from "../../_shared/db/port.ts";
import { createPostgresDb } from "../../_shared/db/postgres.ts";
import { loadMigrations } from "./migrations.ts";

/** Connections a Node process (the dev server, a container) opens to PostgreSQL unless told otherwise. */
export const NODE_POOL_MAX = 10;

/**
 * The database for a Node process: PostgreSQL at `databaseUrl` when given, else embedded PGlite (in
 * `pgliteDir`, or in memory), with every migration applied.
 */
export async function openDatabase(options: { databaseUrl?: string | undefined; pgliteDir?: string; max?: number }): Promise<DbPool> {
  const db = options.databaseUrl
    ? createPostgresDb(options.databaseUrl, { max: options.max ?? NODE_POOL_MAX })
    : await createPgliteDb(options.pgliteDir);
  try {
    await migrate(db, await loadMigrations());
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  return db;
}
