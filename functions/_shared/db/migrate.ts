import type { Db } from "./port.ts";

/** One forward-only migration: `name` is its file name (`<YYYYMMDDHHMMSS>_<what>.sql`), applied in name order. */
export interface Migration {
  name: string;
  sql: string;
}

// Any fixed 64-bit number works; it only has to be the same for every instance of this app.
const MIGRATION_LOCK_ID = 7_351_202_611_260;

// The one ledger, Supabase's: `supabase db push` records each file as (version = its timestamp, name = the rest
// of the file name, statements = its SQL) in the table the Supabase CLI creates with exactly these statements
// (supabase/cli pkg/migration/history.go). This runner reads and writes the same rows, so a database migrated by
// either is up to date for the other.
const CREATE_LEDGER = `
  create schema if not exists supabase_migrations;
  create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
  alter table supabase_migrations.schema_migrations add column if not exists statements text[];
  alter table supabase_migrations.schema_migrations add column if not exists name text;`;

// Earlier versions of this runner kept their own ledger, `public.schema_migrations (name, applied_at)`: its
// rows move into Supabase's and the table goes, so no database keeps two ledgers that can disagree.
const ADOPT_OLD_LEDGER = `
  do $$ begin
    if exists (select 1 from information_schema.columns
               where table_schema = 'public' and table_name = 'schema_migrations' and column_name = 'applied_at') then
      insert into supabase_migrations.schema_migrations (version, name)
        select substring(name from '^(\\d+)_'), substring(name from '^\\d+_(.*)\\.sql$') from public.schema_migrations
        on conflict (version) do nothing;
      drop table public.schema_migrations;
    end if;
  end $$;`;

/** `20261126000100_tenants.sql` → version `20261126000100`, name `tenants`, as the Supabase CLI splits it. */
export function ledgerEntry(fileName: string): { version: string; name: string } {
  const match = /^(\d+)_(.*)\.sql$/.exec(fileName);
  if (!match) throw new Error(`migration file name must be <timestamp>_<name>.sql: ${fileName}`);
  return { version: match[1]!, name: match[2]! };
}

/**
 * Applies the migrations whose version is not yet in Supabase's ledger, in name order, in one transaction,
 * and records each there. A transaction-scoped advisory lock makes two cold starts racing each other wait,
 * not double-apply. Returns the file names it applied.
 * @example await migrate(db, await loadMigrations("supabase/migrations"));
 */
export async function migrate(db: Db, migrations: readonly Migration[]): Promise<string[]> {
  const ordered = [...migrations].sort((a, b) => a.name.localeCompare(b.name));
  return db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK_ID]);
    await tx.execScript(CREATE_LEDGER + ADOPT_OLD_LEDGER);
    const done = new Set(
      (await tx.query<{ version: string }>("select version from supabase_migrations.schema_migrations")).map((r) => r.version),
    );
    const applied: string[] = [];
    for (const migration of ordered) {
      const { version, name } = ledgerEntry(migration.name);
      if (done.has(version)) continue;
      await tx.execScript(migration.sql);
      await tx.query(
        "insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, array[$3::text])",
        [version, name, migration.sql],
      );
      done.add(version);
      applied.push(migration.name);
    }
    return applied;
  });
}
