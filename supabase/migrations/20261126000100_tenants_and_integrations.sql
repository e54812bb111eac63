-- Tenants (schools) and their per-provider integration settings. Credentials hold only an AES-256-GCM
-- envelope ({v, kid, iv, ct}) sealed by the functions; the database never sees a plaintext secret.
create table tenants (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  created_at timestamptz not null default now()
);

create table integrations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  integration_key text not null check (integration_key in ('stripe', 'docusign', 'zoom', 'sendgrid')),
  is_enabled boolean not null default false,
  credentials jsonb,
  settings jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, integration_key)
);

-- Webhooks look up "the one tenant with this integration enabled" for single-school installs.
create index integrations_enabled_key on integrations (integration_key) where is_enabled;
