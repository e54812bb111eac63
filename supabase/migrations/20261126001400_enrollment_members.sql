-- Families (DESIGN.md "Families"): who an enrollment belongs to. A signed-in user who is not an admin of
-- the school acts only for the enrollments it is a member of; the platform fills this table (SQL) or an
-- admin does (PUT/DELETE /api/admin/enrollments/{id}/members/{userId}). `user_id` is the JWT's `sub`.

-- Lets a membership row name its enrollment together with the tenant, so the two can never disagree.
alter table enrollments add constraint enrollments_tenant_id_id_key unique (tenant_id, id);

create table enrollment_members (
  tenant_id uuid not null references tenants (id) on delete cascade,
  enrollment_id uuid not null,
  user_id text not null check (length(user_id) between 1 and 255),
  relation text not null check (relation in ('guardian', 'student')),
  created_at timestamptz not null default now(),
  primary key (enrollment_id, user_id),
  foreign key (tenant_id, enrollment_id) references enrollments (tenant_id, id) on delete cascade
);

-- "Which enrollments is this user a member of": every guarded request and every member policy below.
create index enrollment_members_tenant_user on enrollment_members (tenant_id, user_id);

-- Row-level security for members, narrowed to their own enrollments. Admins keep reading every row of
-- their tenant. Plain current_setting as in 20261126000500, so this loads on vanilla PostgreSQL and PGlite.
create function request_user_id() returns text
  language sql stable
  as $$
    select nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
  $$;

-- The enrollments the caller is a member of. Runs as the caller (Supabase grants `authenticated` select on
-- public tables): it reads only the caller's own membership rows, which the enrollment_members policy allows.
create function request_member_enrollment_ids() returns setof uuid
  language sql stable
  as $$
    select enrollment_id from enrollment_members where tenant_id = request_tenant_id() and user_id = request_user_id()
  $$;

alter table enrollment_members enable row level security;
create policy enrollment_members_read_by_admins_and_self on enrollment_members for select
  using (tenant_id = request_tenant_id() and (request_is_admin() or user_id = request_user_id()));

drop policy members_read_own_enrollments on enrollments;
create policy enrollments_read_by_admins_and_members on enrollments for select
  using (tenant_id = request_tenant_id() and (request_is_admin() or id in (select request_member_enrollment_ids())));

drop policy members_read_own_payments on payments;
create policy payments_read_by_admins_and_members on payments for select
  using (tenant_id = request_tenant_id()
    and (request_is_admin() or enrollment_id in (select request_member_enrollment_ids())));

drop policy members_read_own_subscriptions on subscriptions;
create policy subscriptions_read_by_admins_and_members on subscriptions for select
  using (tenant_id = request_tenant_id()
    and (request_is_admin() or enrollment_id in (select request_member_enrollment_ids())));

-- A member may see its own enrollment's sessions (it can open one through the checkout function anyway);
-- another family's session URL, which lets anyone pay, stays out of reach.
drop policy admins_read_own_checkout_sessions on checkout_sessions;
create policy checkout_sessions_read_by_admins_and_members on checkout_sessions for select
  using (tenant_id = request_tenant_id()
    and (request_is_admin() or enrollment_id in (select request_member_enrollment_ids())));
