// One migration ledger for both targets: the runner the AWS migrate function, the dev server and the tests use
// reads and writes the ledger `supabase db push` keeps. The CLI's side is written here from its source
// (supabase/cli pkg/migration/history.go and file.go), not with the code under test.
import { afterEach, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName } from "../../../tests/support/database.ts";
import { openPrivateDatabase } from "../../../tests/support/private-database.ts";
import { loadMigrations } from "../../runtimes/node/migrations.ts";
import { ledgerEntry, migrate, type Migration } from "./migrate.ts";
import { createPgliteDb } from "./pglite.ts";
import type { DbPool } from "./port.ts";

/** What `supabase db push` runs: the CLI's CreateMigrationTable batch, then per file its SQL and INSERT_MIGRATION_VERSION. */
async function supabaseDbPush(db: DbPool, migrations: readonly Migration[]): Promise<void> {
  await db.execScript(`
    SET lock_timeout = '4s';
    CREATE SCHEMA IF NOT EXISTS supabase_migrations;
    CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY);
    ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[];
    ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text;`);
  for (const migration of migrations) {
    const [, version, name] = /^([0-9]+)_(.*)\.sql$/.exec(migration.name)!;
    await db.transaction(async (tx) => {
      await tx.execScript(migration.sql);
      // The CLI binds a text[]; the port passes no arrays (see Db), so the one-element array is built in SQL.
      await tx.query("INSERT INTO supabase_migrations.schema_migrations(version, name, statements) VALUES($1, $2, array[$3::text])", [version, name, migration.sql]);
    });
  }
}

/** `supabase migration list`'s remote column: LIST_MIGRATION_VERSION. */
async function supabaseVersions(db: DbPool): Promise<string[]> {
  return (await db.query<{ version: string }>("SELECT version FROM supabase_migrations.schema_migrations ORDER BY version")).map((r) => r.version);
}

const versionOf = (migration: Migration) => /^(\d+)_/.exec(migration.name)![1]!;

describe.each(ADAPTERS)("migration ledger (%s)", (adapter: AdapterName) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  /** An empty database: a fresh PGlite, or a new database on the test server. */
  async function emptyDatabase(): Promise<DbPool> {
    if (adapter === "pglite") {
      const db = await createPgliteDb();
      cleanups.push(() => db.close());
      return db;
    }
    const { db, drop } = await openPrivateDatabase("ledger", { max: 2, migrated: false });
    cleanups.push(drop);
    return db;
  }

  it("records every migration where `supabase migration list` reads it: version, name and its SQL", async () => {
    const db = await emptyDatabase();
    const migrations = await loadMigrations();
    expect(await migrate(db, migrations)).toEqual(migrations.map((m) => m.name));
    expect(await supabaseVersions(db)).toEqual(migrations.map(versionOf));
    const [first] = await db.query<{ name: string; statements: number; statement: string }>(
      `SELECT version, coalesce(name, '') as name, array_length(statements, 1) as statements, statements[1] as statement
         FROM supabase_migrations.schema_migrations WHERE version = $1`, [versionOf(migrations[0]!)],
    );
    expect(first).toMatchObject({ name: ledgerEntry(migrations[0]!.name).name, statements: 1, statement: migrations[0]!.sql });
    expect(await db.query("select to_regclass('public.schema_migrations') as old")).toEqual([{ old: null }]);
    expect(await migrate(db, migrations)).toEqual([]);
  });

  it("applies nothing `supabase db push` already applied, and then only a newer migration", async () => {
    const db = await emptyDatabase();
    const migrations = await loadMigrations();
    await supabaseDbPush(db, migrations);
    // Re-running any of them would fail: `create table tenants` on a database that has it.
    expect(await migrate(db, migrations)).toEqual([]);

    const newer = { name: "29991231235959_ledger_probe.sql", sql: "create table ledger_probe (id int);" };
    expect(await migrate(db, [...migrations, newer])).toEqual([newer.name]);
    expect(await supabaseVersions(db)).toEqual([...migrations.map(versionOf), "29991231235959"]);
  });

  it("leaves nothing for `supabase db push` to apply after the runner (both see the same versions)", async () => {
    const db = await emptyDatabase();
    const migrations = await loadMigrations();
    await migrate(db, migrations.slice(0, 3));
    // The CLI pushes the local files whose version its ledger lacks.
    const applied = new Set(await supabaseVersions(db));
    await supabaseDbPush(db, migrations.filter((m) => !applied.has(versionOf(m))));
    expect(await supabaseVersions(db)).toEqual(migrations.map(versionOf));
    expect(await migrate(db, migrations)).toEqual([]);
  });

  it("moves the ledger of earlier versions (public.schema_migrations) into Supabase's and drops it", async () => {
    const db = await emptyDatabase();
    const migrations = await loadMigrations();
    await db.execScript("create table schema_migrations (name text primary key, applied_at timestamptz not null default now())");
    for (const migration of migrations) {
      await db.execScript(migration.sql);
      await db.query("insert into schema_migrations (name) values ($1)", [migration.name]);
    }
    expect(await migrate(db, migrations)).toEqual([]);
    expect(await supabaseVersions(db)).toEqual(migrations.map(versionOf));
    expect(await db.query("select name from supabase_migrations.schema_migrations where version = $1", [versionOf(migrations[0]!)]))
      .toEqual([{ name: ledgerEntry(migrations[0]!.name).name }]);
    expect(await db.query("select to_regclass('public.schema_migrations') as old")).toEqual([{ old: null }]);
  });
});

describe("ledgerEntry", () => {
  it("splits a file name as the Supabase CLI does", () => {
    expect(ledgerEntry("20261126000100_tenants_and_integrations.sql")).toEqual({ version: "20261126000100", name: "tenants_and_integrations" });
  });

  it("refuses a file name without a timestamp, naming it", () => {
    expect(() => ledgerEntry("tenants.sql")).toThrow(/<timestamp>_<name>\.sql: tenants\.sql/);
  });
});
