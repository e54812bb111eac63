-- Who changed what. `details` names fields, never their values when they are secrets.
create table audit_log (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  actor text not null,
  action text not null,
  target text,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);

create index audit_log_tenant_created on audit_log (tenant_id, created_at desc);

-- Fixed-window counters shared by every function instance (Lambda and edge alike).
create table rate_limits (
  tenant_id uuid references tenants (id) on delete cascade,
  bucket text not null,
  window_start timestamptz not null,
  hits integer not null default 0,
  primary key (bucket, window_start)
);
