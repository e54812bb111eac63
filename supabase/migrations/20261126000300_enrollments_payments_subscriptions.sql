-- The school's side of money and contracts. Status columns only move forward: each row keeps the rank of
-- its status and the `created` time of the provider event that set it, and upserts compare both.
create table enrollments (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  student_name text,
  signer_name text,
  signer_email text,
  signature_status text not null default 'none'
    check (signature_status in ('none', 'sent', 'delivered', 'completed', 'declined', 'voided')),
  signature_envelope_id text,
  signature_sent_at timestamptz,
  signature_completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index enrollments_tenant on enrollments (tenant_id);
create index enrollments_envelope on enrollments (signature_envelope_id) where signature_envelope_id is not null;

create table payments (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  enrollment_id uuid references enrollments (id) on delete set null,
  kind text not null default 'other' check (kind in ('enrollment_fee', 'tuition', 'other')),
  stripe_payment_intent text,
  stripe_invoice text,
  stripe_checkout_session text,
  stripe_subscription text,
  stripe_customer text,
  amount bigint not null check (amount >= 0),
  currency text not null,
  status text not null,
  status_rank smallint not null,
  amount_refunded bigint not null default 0 check (amount_refunded >= 0),
  failure_reason text,
  source_event_created timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, stripe_payment_intent),
  unique (tenant_id, stripe_invoice)
);

create index payments_tenant_created on payments (tenant_id, created_at desc);
create index payments_enrollment on payments (enrollment_id) where enrollment_id is not null;
-- Tuition payments whose subscription is linked to an enrollment only later (Checkout completes after the first invoice).
create index payments_subscription on payments (tenant_id, stripe_subscription) where stripe_subscription is not null;

-- Individual refunds, so a partial refund and its later confirmation never double-count.
create table refunds (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  stripe_refund_id text not null,
  stripe_payment_intent text,
  amount bigint not null check (amount >= 0),
  currency text not null,
  status text not null,
  status_rank smallint not null,
  reason text,
  source_event_created timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, stripe_refund_id)
);

create index refunds_payment_intent on refunds (tenant_id, stripe_payment_intent);

create table subscriptions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  enrollment_id uuid references enrollments (id) on delete set null,
  stripe_subscription_id text not null,
  stripe_customer text,
  stripe_price_id text,
  status text not null,
  current_period_end timestamptz,
  cancel_at_period_end boolean not null default false,
  canceled_at timestamptz,
  source_event_created timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, stripe_subscription_id)
);
