-- Every verified webhook event, stored once per (tenant, source, provider's id for it). The unique key is
-- what makes redelivery harmless: a duplicate insert does nothing and is answered 2xx.
create table webhook_events (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  source text not null check (source in ('stripe', 'docusign', 'zoom', 'sendgrid')),
  event_type text not null,
  external_id text not null,
  payload jsonb not null,
  status text not null default 'received' check (status in ('received', 'processed', 'failed', 'dead')),
  attempts integer not null default 0,
  last_error text,
  next_attempt_at timestamptz,
  processed_at timestamptz,
  created_at timestamptz not null default now(),
  unique (tenant_id, source, external_id)
);

create index webhook_events_tenant_created on webhook_events (tenant_id, created_at desc);
-- The retry job scans only what still needs work.
create index webhook_events_retry on webhook_events (next_attempt_at) where status = 'failed';

-- Requests that failed verification: counted and explained for admins, never with a body or a signature.
create table webhook_signature_failures (
  id bigint generated always as identity primary key,
  tenant_id uuid references tenants (id) on delete cascade,
  source text not null,
  reason text not null,
  created_at timestamptz not null default now()
);

create index webhook_signature_failures_tenant_created on webhook_signature_failures (tenant_id, created_at desc);
