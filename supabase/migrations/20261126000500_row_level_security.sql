-- Row-level security for clients that reach the database directly (Supabase's `authenticated` role via
-- PostgREST). The functions connect as the table owner and filter by tenant themselves.
-- The tenant comes from the JWT claims PostgREST puts in `request.jwt.claims`, read with plain
-- current_setting so these policies also load on vanilla PostgreSQL and PGlite (no auth.jwt() there).
create function request_tenant_id() returns uuid
  language sql stable
  as $$
    select (nullif(current_setting('request.jwt.claims', true), '')::jsonb -> 'app_metadata' ->> 'tenant_id')::uuid
  $$;

create function request_is_admin() returns boolean
  language sql stable
  as $$
    select coalesce(
      nullif(current_setting('request.jwt.claims', true), '')::jsonb -> 'app_metadata' ->> 'role' = 'admin',
      false)
  $$;

alter table tenants enable row level security;
create policy tenant_members_read_own_tenant on tenants for select using (id = request_tenant_id());

alter table integrations enable row level security;
create policy admins_read_own_integrations on integrations for select
  using (tenant_id = request_tenant_id() and request_is_admin());

alter table webhook_events enable row level security;
create policy admins_read_own_webhook_events on webhook_events for select
  using (tenant_id = request_tenant_id() and request_is_admin());

alter table webhook_signature_failures enable row level security;
create policy admins_read_own_signature_failures on webhook_signature_failures for select
  using (tenant_id = request_tenant_id() and request_is_admin());

alter table enrollments enable row level security;
create policy members_read_own_enrollments on enrollments for select using (tenant_id = request_tenant_id());

alter table payments enable row level security;
create policy members_read_own_payments on payments for select using (tenant_id = request_tenant_id());

alter table refunds enable row level security;
create policy admins_read_own_refunds on refunds for select
  using (tenant_id = request_tenant_id() and request_is_admin());

alter table subscriptions enable row level security;
create policy members_read_own_subscriptions on subscriptions for select using (tenant_id = request_tenant_id());

alter table audit_log enable row level security;
create policy admins_read_own_audit_log on audit_log for select
  using (tenant_id = request_tenant_id() and request_is_admin());

alter table rate_limits enable row level security;
-- No policy: only the functions (table owner) touch rate limits.
