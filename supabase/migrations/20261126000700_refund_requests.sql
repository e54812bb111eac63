-- Refunds an admin asked for through POST /api/admin/payments/{id}/refund, keyed by the idempotency key
-- sent to Stripe: a retried request (same key) is answered with the refund it already made instead of
-- being checked again. The refund itself, and its status, live in `refunds` (written from Stripe's answer
-- and then by the webhook).
create table refund_requests (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  payment_id uuid not null references payments (id) on delete cascade,
  idempotency_key text not null,
  stripe_refund_id text not null,
  amount bigint not null check (amount > 0),
  reason text,
  requested_by text not null,
  created_at timestamptz not null default now(),
  unique (tenant_id, idempotency_key)
);

create index refund_requests_payment on refund_requests (tenant_id, payment_id, created_at desc);

alter table refund_requests enable row level security;
create policy admins_read_own_refund_requests on refund_requests for select
  using (tenant_id = request_tenant_id() and request_is_admin());
