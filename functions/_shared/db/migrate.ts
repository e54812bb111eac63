import type { Db } from "./port.ts";

/** One forward-only migration: `name` is its file name (`<YYYYMMDDHHMMSS>_<what>.sql`), applied in name order. */
export interface Migration {
  name: string;
  sql: string;
}

// Any fixed 64-bit number works; it only has to be the same for every instance of this app.
const MIGRATION_LOCK_ID = 7_351_202_611_260;

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in name order, in one transaction.
 * A transaction-scoped advisory lock makes two cold starts racing each other wait, not double-apply.
 * Returns the names it applied.
 * @example await migrate(db, await loadMigrations("supabase/migrations"));
 */
export async function migrate(db: Db, migrations: readonly Migration[]): Promise<string[]> {
  const ordered = [...migrations].sort((a, b) => a.name.localeCompare(b.name));
  return db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK_ID]);
    await tx.query(
      "create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())",
    );
    const done = new Set((await tx.query<{ name: string }>("select name from schema_migrations")).map((r) => r.name));
    const applied: string[] = [];
    for (const migration of ordered) {
      if (done.has(migration.name)) continue;
      await tx.execScript(migration.sql);
      await tx.query("insert into schema_migrations (name) values ($1)", [migration.name]);
      applied.push(migration.name);
    }
    return applied;
  });
}
