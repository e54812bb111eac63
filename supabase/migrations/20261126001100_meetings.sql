-- Zoom meetings a school's admins create through the zoom-meetings function, and what Zoom's webhooks report
-- about them (zoom-webhook). The host's `start_url` is deliberately not stored, not even sealed: it embeds a
-- host token (ZAK) that starts the meeting as its host, Zoom lets it expire within hours, and
-- GET /v2/meetings/{id} hands out a fresh one whenever a host needs it — so a stored copy would only ever be
-- a stale secret to protect.
create table meetings (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  -- Zoom's meeting number (up to 11 digits today; int64 in Zoom's API).
  zoom_meeting_id bigint not null,
  -- The occurrence the status describes: Zoom issues a new uuid each time a meeting starts anew (every
  -- occurrence of a recurring meeting, or a meeting started again after it ended).
  uuid text,
  -- Zoom's meeting type: 1 instant, 2 scheduled, 8 recurring with a fixed time.
  type smallint not null check (type in (1, 2, 8)),
  topic text not null,
  start_time timestamptz,
  duration integer check (duration > 0),
  timezone text,
  -- The recurrence as the admin gave it (camelCase, as the API shows it).
  recurrence jsonb,
  auto_recording text not null check (auto_recording in ('none', 'local', 'cloud')),
  join_url text not null,
  -- Only moves forward within an occurrence (waiting → started → ended); `deleted` is final.
  status text not null default 'waiting' check (status in ('waiting', 'started', 'ended', 'deleted')),
  status_rank smallint not null default 0,
  -- `event_ts` of the Zoom event that set `status` (null until Zoom reports anything).
  status_event_at timestamptz,
  started_at timestamptz,
  ended_at timestamptz,
  recording_status text not null default 'none' check (recording_status in ('none', 'completed')),
  recording_completed_at timestamptz,
  created_by text,
  deleted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, zoom_meeting_id)
);

-- The admin list: a tenant's meetings newest first, paged by (created_at, id).
create index meetings_tenant_created on meetings (tenant_id, created_at desc, id desc);

alter table meetings enable row level security;
-- Students and parents join their school's classes, so every member of the tenant may read its meetings.
create policy members_read_own_meetings on meetings for select using (tenant_id = request_tenant_id());
