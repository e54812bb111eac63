// Row-level security as a client that reaches the database directly sees it (Supabase's `authenticated`
// role through PostgREST): a role that does not own the tables, and the JWT claims in `request.jwt.claims`.
import type { Db } from "../../functions/_shared/db/port.ts";

/** Not the owner of anything, so every policy applies to it (the table owner and superusers bypass RLS). */
export const RLS_PROBE_ROLE = "ips_rls_probe";

// Test files run in parallel on one PostgreSQL: concurrent CREATE ROLE / GRANT on the same objects can fail
// ("tuple concurrently updated"), so they wait for each other on this lock.
const GRANT_LOCK_ID = 7_351_202_611_261;

/** Creates the probe role when missing and lets it read `tables` (what Supabase grants `authenticated`). */
export async function grantProbeRead(db: Db, tables: readonly string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock($1)", [GRANT_LOCK_ID]);
    await tx.query(`do $$ begin
      if not exists (select from pg_roles where rolname = '${RLS_PROBE_ROLE}') then create role ${RLS_PROBE_ROLE} nologin; end if;
    end $$`);
    await tx.query(`grant select on ${tables.join(", ")} to ${RLS_PROBE_ROLE}`);
  });
}

/**
 * Runs `read` as the probe role with these JWT claims (none: `null`), in one transaction: both are set
 * `local`, so they end with it.
 * @example const rows = await asProbe(db, { sub, app_metadata: { tenant_id } }, (tx) => tx.query("select id from enrollments"));
 */
export async function asProbe<T>(db: Db, claims: Record<string, unknown> | null, read: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    if (claims) await tx.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(claims)]);
    await tx.query(`set local role ${RLS_PROBE_ROLE}`);
    return read(tx);
  });
}
