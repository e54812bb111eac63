-- Checkout Sessions we opened for an enrollment, so a second click reuses the open one instead of creating
-- another (a student with two tabs must not be able to pay twice). `amount`/`currency`/`stripe_price_id`
-- record what the session charges: a session whose charge no longer matches the school's settings is not
-- reused. Rows are only ever added; a session counts as open until `expires_at`.
create table checkout_sessions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  enrollment_id uuid not null references enrollments (id) on delete cascade,
  kind text not null check (kind in ('enrollment_fee', 'tuition')),
  stripe_session_id text not null,
  url text not null,
  status text not null default 'open' check (status in ('open', 'complete', 'expired')),
  amount bigint check (amount >= 0),
  currency text,
  stripe_price_id text,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  unique (tenant_id, stripe_session_id)
);

create index checkout_sessions_enrollment on checkout_sessions (tenant_id, enrollment_id, kind, created_at desc);

alter table checkout_sessions enable row level security;
-- A session URL lets anyone pay: only the school's admins read them directly.
create policy admins_read_own_checkout_sessions on checkout_sessions for select
  using (tenant_id = request_tenant_id() and request_is_admin());
