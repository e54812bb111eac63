// supabase/migrations/*_schedule_jobs.sql: the three jobs scheduled on Supabase with pg_cron + pg_net, the
// project URL and service_role key read from Vault when a job runs. Neither extension exists on PGlite or the
// test PostgreSQL (pg_net is not packaged for Debian), so the migration must do nothing there; with them, it
// is run unchanged against stand-ins for pg_cron's cron.schedule/cron.job, pg_net's net.http_post and Vault's
// vault.decrypted_secrets, found first through search_path (which may put a schema before pg_catalog).
import { readFileSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbPool } from "../functions/_shared/db/port.ts";
import { FUNCTIONS } from "../functions/manifest.ts";
import { ADAPTERS, type AdapterName } from "./support/database.ts";
import { openIsolatedDatabase } from "./support/private-database.ts";

const MIGRATIONS = new URL("../supabase/migrations/", import.meta.url);
const FILE = readdirSync(MIGRATIONS).find((name) => name.endsWith("_schedule_jobs.sql"))!;
const SCHEDULE_SQL = readFileSync(new URL(FILE, MIGRATIONS), "utf8");

const PROJECT_URL = "https://abcdefghijklmnop.supabase.co";
const SERVICE_ROLE_KEY = `eyJhbGciOiJIUzI1NiJ9.stand-in-service-role.${crypto.randomUUID()}`;

/** The manifest's EventBridge rate as a pg_cron schedule: `rate(1 minute)` → `* * * * *`, `rate(1 hour)` → `0 * * * *`. */
function cronOf(rate: string): string {
  const match = /^rate\((\d+) (minute|hour)s?\)$/.exec(rate);
  if (!match) throw new Error(`no pg_cron equivalent written for ${rate}`);
  const every = match[1] === "1" ? "*" : `*/${match[1]}`;
  return match[2] === "minute" ? `${every} * * * *` : `0 ${every} * * *`;
}

const JOBS = FUNCTIONS.filter((fn) => fn.schedule).map((fn) => ({ slug: fn.slug, schedule: cronOf(fn.schedule!), timeoutSeconds: fn.timeoutSeconds }));

// pg_cron 1.6's cron.job columns and schedule(job_name, schedule, command) (an existing name is updated),
// pg_net's net.http_post signature, and Vault's decrypted_secrets view, each reduced to what is observable.
const STAND_INS = `
  create schema stand_in;
  create view stand_in.pg_available_extensions as select * from (values ('pg_cron'), ('pg_net')) as e (name);
  create view stand_in.pg_extension as select * from (values ('pg_cron'), ('pg_net')) as e (extname);
  create schema cron;
  create table cron.job (jobid bigserial primary key, schedule text not null, command text not null, jobname text unique);
  create function cron.schedule(job_name text, schedule text, command text) returns bigint language sql as $$
    insert into cron.job (jobname, schedule, command) values (job_name, schedule, command)
    on conflict (jobname) do update set schedule = excluded.schedule, command = excluded.command returning jobid $$;
  create schema net;
  create table net.requests (id bigserial primary key, url text, body jsonb, headers jsonb, timeout_milliseconds int);
  create function net.http_post(url text, body jsonb default '{}', params jsonb default '{}', headers jsonb default '{"Content-Type": "application/json"}', timeout_milliseconds int default 5000)
    returns bigint language sql as $$
    insert into net.requests (url, body, headers, timeout_milliseconds) values (url, body, headers, timeout_milliseconds) returning id $$;
  create schema vault;
  create table vault.decrypted_secrets (name text primary key, decrypted_secret text);`;

describe.each(ADAPTERS)("Supabase job schedule migration (%s)", (adapter: AdapterName) => {
  let db: DbPool;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openIsolatedDatabase(adapter, "jobs"));
  });
  afterAll(() => close?.());

  it("is recorded and does nothing where pg_cron and pg_net are not available", async () => {
    expect(await db.query("select name from pg_available_extensions where name in ('pg_cron', 'pg_net')")).toEqual([]);
    expect(await db.query("select 1 from supabase_migrations.schema_migrations where version = $1", [FILE.slice(0, 14)])).toHaveLength(1);
    expect(await db.query("select nspname from pg_namespace where nspname in ('cron', 'net')")).toEqual([]);
    await expect(db.execScript(SCHEDULE_SQL)).resolves.toBeUndefined();
  });

  it("with both extensions, schedules each manifest job at its rate, calling its function with the key from Vault", async () => {
    await db.execScript(STAND_INS);
    await db.query("insert into vault.decrypted_secrets values ('project_url', $1), ('service_role_key', $2)", [PROJECT_URL, SERVICE_ROLE_KEY]);
    const runMigration = () => db.transaction(async (tx) => {
      await tx.query("set local search_path = stand_in, pg_catalog, public");
      await tx.execScript(SCHEDULE_SQL);
    });
    await runMigration();
    await runMigration(); // scheduling again updates the jobs in place

    const jobs = await db.query<{ jobname: string; schedule: string; command: string }>("select jobname, schedule, command from cron.job order by jobname");
    expect(jobs.map(({ jobname, schedule }) => ({ slug: jobname, schedule })))
      .toEqual(JOBS.map(({ slug, schedule }) => ({ slug, schedule })).sort((a, b) => a.slug.localeCompare(b.slug)));
    for (const job of jobs) expect(job.command).not.toContain(SERVICE_ROLE_KEY);

    for (const job of jobs) await db.execScript(job.command); // what pg_cron runs at each tick
    const requests = await db.query<{ url: string; body: unknown; headers: Record<string, string>; timeout_milliseconds: number }>(
      "select url, body, headers, timeout_milliseconds from net.requests order by id",
    );
    expect(requests).toEqual(jobs.map((job) => ({
      url: `${PROJECT_URL}/functions/v1/${job.jobname}`,
      body: {},
      headers: { "content-type": "application/json", authorization: `Bearer ${SERVICE_ROLE_KEY}` },
      timeout_milliseconds: JOBS.find((j) => j.slug === job.jobname)!.timeoutSeconds * 1000,
    })));
  });
});

describe("cronOf", () => {
  it("turns the manifest's rates into pg_cron schedules and refuses one it cannot", () => {
    expect(cronOf("rate(1 minute)")).toBe("* * * * *");
    expect(cronOf("rate(5 minutes)")).toBe("*/5 * * * *");
    expect(cronOf("rate(1 hour)")).toBe("0 * * * *");
    expect(() => cronOf("cron(0 3 * * ? *)")).toThrow(/no pg_cron equivalent/);
  });
});
