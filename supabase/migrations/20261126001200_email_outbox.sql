-- The email outbox. A message is enqueued in the same statement or transaction that applies the event
-- causing it (a payment that succeeded, an envelope that was sent), keyed by (tenant, kind, dedupe key) so
-- the same event redelivered, retried or replayed enqueues it once. The email-sender job sends due messages.
--
-- Two statuses, on purpose:
-- - `status` is ours — the outbox: queued → sending (claimed by a sender, lease until next_attempt_at) →
--   sent, or failed (retried with backoff at next_attempt_at) → dead after the last attempt.
-- - `delivery_status` is SendGrid's, from the Event Webhook, and only moves forward by rank (processed →
--   deferred → delivered → opened → clicked; bounce, dropped and spamreport end it). Kept apart so a
--   webhook event that arrives before the sender has recorded `sent` can never be overwritten by it.
create table email_messages (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  kind text not null
    check (kind in ('welcome', 'password_reset', 'payment_confirmation', 'contract_notification', 'marketing')),
  to_email text not null,
  to_name text,
  -- The template's dynamic data. Never a secret (a password-reset link is short-lived and is the email).
  data jsonb not null default '{}'::jsonb,
  dedupe_key text not null,
  status text not null default 'queued' check (status in ('queued', 'sending', 'sent', 'failed', 'dead')),
  attempts integer not null default 0,
  -- Due time while queued/failed; the claim's lease expiry while sending (a crashed sender's claim lapses).
  next_attempt_at timestamptz not null default now(),
  last_error text,
  provider_message_id text,
  delivery_status text
    check (delivery_status in ('processed', 'deferred', 'delivered', 'opened', 'clicked', 'bounce', 'dropped', 'spamreport')),
  delivery_status_rank smallint not null default 0,
  delivery_updated_at timestamptz,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (tenant_id, kind, dedupe_key)
);

-- The sender scans only what may need sending.
create index email_messages_due on email_messages (next_attempt_at) where status in ('queued', 'failed', 'sending');
create index email_messages_tenant_created on email_messages (tenant_id, created_at desc, id desc);

-- What SendGrid reported about our messages, one row per event (its sg_event_id), linked to the message
-- through the custom_args we send. Engagement data (url, user agent, ip) is not kept.
create table email_events (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  message_id uuid references email_messages (id) on delete set null,
  sg_event_id text not null,
  sg_message_id text,
  event text not null,
  email text,
  reason text,
  occurred_at timestamptz,
  created_at timestamptz not null default now(),
  unique (tenant_id, sg_event_id)
);

create index email_events_message on email_events (message_id, occurred_at) where message_id is not null;

alter table email_messages enable row level security;
create policy admins_read_own_email_messages on email_messages for select
  using (tenant_id = request_tenant_id() and request_is_admin());

alter table email_events enable row level security;
create policy admins_read_own_email_events on email_events for select
  using (tenant_id = request_tenant_id() and request_is_admin());
