-- Addresses a school's mail must no longer go to, filled from SendGrid's Event Webhook (bounce, dropped,
-- spamreport, unsubscribe, group_unsubscribe) and checked by the email-sender before every send: a queued
-- message to a suppressed address ends as `suppressed`, never sent. One row per tenant and address
-- (lower-cased): a later event only widens it (`marketing` → `all`), never narrows it; an admin removes a
-- row (DELETE /api/admin/email-suppressions/{email}) once the address is fixed.
-- `scope`: `all` stops every kind (the address bounced, was dropped, or reported spam); `marketing` stops all
-- but the transactional kinds (functions/_shared/domain/email/kinds.ts) — the family only unsubscribed.
create table email_suppressions (
  -- Only a stable tiebreaker for the admin list's keyset cursor; the address is the key.
  id uuid not null default gen_random_uuid() unique,
  tenant_id uuid not null references tenants (id) on delete cascade,
  email text not null check (email = lower(email) and length(email) between 3 and 320),
  reason text not null check (reason in ('bounce', 'dropped', 'spamreport', 'unsubscribe', 'group_unsubscribe')),
  scope text not null check (scope in ('all', 'marketing')),
  -- SendGrid's words (the bounce's or drop's reason), never a secret.
  detail text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, email)
);

-- The admin list pages newest first.
create index email_suppressions_tenant_created on email_suppressions (tenant_id, created_at desc, id desc);

-- A message the sender held back because its address is suppressed.
alter table email_messages drop constraint email_messages_status_check;
alter table email_messages add constraint email_messages_status_check
  check (status in ('queued', 'sending', 'sent', 'failed', 'dead', 'suppressed'));

-- Not enrollment-scoped: admins read their tenant's rows, members none.
alter table email_suppressions enable row level security;
create policy admins_read_own_email_suppressions on email_suppressions for select
  using (tenant_id = request_tenant_id() and request_is_admin());
