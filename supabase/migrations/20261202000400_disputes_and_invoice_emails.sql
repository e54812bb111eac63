-- Chargebacks and inquiries (`charge.dispute.created|updated|closed`), one row per Stripe dispute. Stripe does
-- not deliver in order, so the status only moves forward by rank (functions/_shared/domain/payments/statuses.ts):
-- warning_needs_response 1 → warning_under_review 2 → needs_response 3 → under_review 4 → warning_closed / won /
-- lost / prevented 5 (an inquiry escalated to a chargeback keeps its id and moves on to needs_response). A
-- late `updated` never overwrites a closed outcome. Kept by payment intent (like `refunds`), so a dispute that
-- arrives before its payment links once the payment is stored.
create table disputes (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  stripe_dispute_id text not null,
  stripe_charge text,
  -- Nullable in Stripe's object (a charge made without an intent): such a dispute cannot be ours to link.
  stripe_payment_intent text,
  amount bigint not null default 0,
  currency text not null,
  reason text,
  status text not null,
  status_rank smallint not null,
  evidence_due_by timestamptz,
  -- The dispute's own `created`: the newest dispute of a payment is the one its `dispute_status` shows.
  disputed_at timestamptz,
  source_event_created timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, stripe_dispute_id)
);

create index disputes_payment_intent on disputes (tenant_id, stripe_payment_intent);
create index disputes_open on disputes (tenant_id) where status_rank < 5;

-- The status of the payment's newest dispute (null: never disputed), shown in the admin payments list.
alter table payments add column dispute_status text;

-- Admins read their school's disputes; a family reads the disputes of its own enrollments' payments
-- (the payments subquery is itself filtered by the payments policy).
alter table disputes enable row level security;
create policy disputes_read_by_admins_and_members on disputes for select
  using (tenant_id = request_tenant_id()
    and (request_is_admin() or exists (
      select 1 from payments p
       where p.tenant_id = disputes.tenant_id and p.stripe_payment_intent = disputes.stripe_payment_intent
         and p.enrollment_id in (select request_member_enrollment_ids()))));

-- Tuition that needs the parent's action (3-D Secure on a renewal) or failed: each has its own template.
alter table email_messages drop constraint email_messages_kind_check;
alter table email_messages add constraint email_messages_kind_check
  check (kind in ('welcome', 'password_reset', 'payment_confirmation', 'contract_notification', 'marketing',
                  'payment_action_required', 'payment_failed'));
