-- The three jobs on Supabase (functions/manifest.ts `schedule`; on AWS EventBridge runs them): pg_cron calls
-- each job's Edge Function through pg_net, with the project URL and the service_role key read from Supabase
-- Vault when the job runs, so no secret is written here. Create both once per project (README, "Supabase"):
--   select vault.create_secret('https://<project-ref>.supabase.co', 'project_url');
--   select vault.create_secret('<the service_role key>', 'service_role_key');
-- Where pg_cron or pg_net is not available (PGlite, vanilla PostgreSQL in CI, RDS/Aurora) this does nothing.
-- cron.schedule replaces a job of the same name, so a later migration changes a schedule by scheduling it again.
do $migration$
declare
  job record;
begin
  if not exists (select 1 from pg_available_extensions where name = 'pg_cron')
     or not exists (select 1 from pg_available_extensions where name = 'pg_net') then
    raise notice 'pg_cron or pg_net is not available: the jobs are not scheduled here';
    return;
  end if;
  -- Looked up by name (not `create extension if not exists`) so that a test can stand in for both extensions.
  if not exists (select 1 from pg_extension where extname = 'pg_cron') then
    create extension pg_cron;
  end if;
  if not exists (select 1 from pg_extension where extname = 'pg_net') then
    create extension pg_net;
  end if;

  -- slug, pg_cron schedule (the manifest's EventBridge rate), the function's timeout in seconds.
  for job in select * from (values
    ('webhook-retry', '* * * * *', 60),
    ('email-sender', '* * * * *', 60),
    ('stripe-reconcile', '0 * * * *', 300)
  ) as jobs (slug, schedule, timeout_seconds) loop
    perform cron.schedule(job.slug, job.schedule, format($command$
      select net.http_post(
        url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url') || %L,
        headers := jsonb_build_object(
          'content-type', 'application/json',
          'authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'service_role_key')),
        body := '{}'::jsonb,
        timeout_milliseconds := %s)$command$, '/functions/v1/' || job.slug, job.timeout_seconds * 1000));
  end loop;
end
$migration$;
