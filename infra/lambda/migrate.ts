// The migrate Lambda, invoked by a CDK Trigger during each deploy that changes it (its bundle carries
// supabase/migrations, so a new migration is such a change) and when a stage is created. It applies what
// `schema_migrations` lacks, with the same runner the dev server and the tests use; a failure fails the
// deploy. DATABASE_URL arrives through the secrets preload like every function's.
import { fileURLToPath } from "node:url";
import { migrate, type Migration } from "../../functions/_shared/db/migrate.ts";
import { DbUnavailableError, type DbPool } from "../../functions/_shared/db/port.ts";
import { createPostgresDb } from "../../functions/_shared/db/postgres.ts";
import { loadMigrations } from "../../functions/runtimes/node/migrations.ts";
import { ensureStageDatabase } from "./stage-database.ts";

/** Copied next to the bundle at synth (infra/migrations.ts). */
const BUNDLED_MIGRATIONS = fileURLToPath(new URL("./migrations/", import.meta.url));

export interface MigrateOptions {
  openDb: () => DbPool;
  migrations: readonly Migration[];
  /** A new RDS Proxy target can refuse connections for a few minutes after it is created. */
  retryUntil: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: Record<string, unknown>) => void;
}

/**
 * Applies the migrations, retrying while the database is unreachable (until `retryUntil`); any other error,
 * such as a failing statement, is thrown at once. Returns the names applied.
 * @example await applyMigrations({ openDb, migrations, retryUntil: Date.now() + 60_000 });
 */
export async function applyMigrations(options: MigrateOptions): Promise<string[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const log = options.log ?? ((line) => console.log(JSON.stringify(line)));
  for (let attempt = 1; ; attempt++) {
    const db = options.openDb();
    try {
      const applied = await migrate(db, options.migrations);
      log({ level: "info", msg: "migrations applied", fn: "migrate", applied, pending: applied.length, total: options.migrations.length });
      return applied;
    } catch (error) {
      const delay = Math.min(2_000 * 2 ** (attempt - 1), 20_000);
      if (!(error instanceof DbUnavailableError) || now() + delay > options.retryUntil) throw error;
      log({ level: "warn", msg: "database unavailable, retrying", fn: "migrate", attempt, delayMs: delay });
      await sleep(delay);
    } finally {
      await db.close().catch(() => {});
    }
  }
}

/** The Lambda handler: `{ applied }`, or an error that makes the Trigger — and the deploy — fail. */
export async function handler(_event: unknown, context?: { getRemainingTimeInMillis(): number }): Promise<{ applied: string[] }> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  const remaining = context?.getRemainingTimeInMillis() ?? 60_000;
  // A branch stage in the shared preview cluster: its database is created by its first deploy.
  if (process.env.CREATE_DATABASE_IF_ABSENT === "true" && (await ensureStageDatabase(url))) {
    console.log(JSON.stringify({ level: "info", msg: "stage database created", fn: "migrate", database: process.env.DATABASE_NAME }));
  }
  const applied = await applyMigrations({
    openDb: () => createPostgresDb(url, { max: 1 }),
    migrations: await loadMigrations(BUNDLED_MIGRATIONS),
    retryUntil: Date.now() + remaining - 30_000,
  });
  return { applied };
}
