-- Classes under their teachers (DESIGN.md "Classes (Zoom)"): each meeting keeps the Zoom user it was created
-- under and its passcode, sealed like integration credentials (AES-256-GCM, bound to tenant + meeting), so
-- the SDK signature can hand it to the school's members; Zoom's webhooks keep attendance and recordings.

-- The host's Zoom user (an email; null for meetings created before hosts were kept, which ran under `me`).
alter table meetings add column host_email text check (host_email is null or length(host_email) between 3 and 320);
-- Zoom's `password` from the create answer, as a sealed envelope {v, kid, iv, ct}; never plaintext.
alter table meetings add column passcode jsonb;
-- `event_ts` of the last meeting.updated applied, so an older update delivered late changes nothing.
alter table meetings add column zoom_updated_at timestamptz;

-- Lets a child row name its meeting together with the tenant, so the two can never disagree.
alter table meetings add constraint meetings_tenant_id_id_key unique (tenant_id, id);

-- One row per participant and join: Zoom gives each join of a meeting occurrence its own `user_id`
-- (participant_joined and participant_left of the same join carry the same one), so the key is
-- (occurrence uuid, user_id). Either event may arrive first; each only fills its own column.
create table meeting_participants (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null,
  meeting_id uuid not null,
  -- The occurrence (Zoom's meeting uuid) and the join's participant id within it.
  meeting_uuid text not null,
  participant_id text not null,
  -- The same person across joins (Zoom's participant_uuid), when Zoom sends it.
  participant_uuid text,
  user_name text,
  email text,
  join_time timestamptz,
  leave_time timestamptz,
  leave_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, meeting_id, meeting_uuid, participant_id),
  foreign key (tenant_id, meeting_id) references meetings (tenant_id, id) on delete cascade
);

-- The admin list: a meeting's attendance in join order.
create index meeting_participants_meeting on meeting_participants (tenant_id, meeting_id, join_time);

-- One row per recording file (Zoom's file id). Only what a school needs to show it: never a download token.
create table meeting_recordings (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null,
  meeting_id uuid not null,
  meeting_uuid text not null,
  file_id text not null,
  file_type text not null,
  file_size bigint,
  play_url text,
  recording_type text,
  recording_start timestamptz,
  recording_end timestamptz,
  status text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, meeting_id, file_id),
  foreign key (tenant_id, meeting_id) references meetings (tenant_id, id) on delete cascade
);

create index meeting_recordings_meeting on meeting_recordings (tenant_id, meeting_id, recording_start);

-- Attendance and recordings belong to no enrollment: a school's admins read them, members read none.
alter table meeting_participants enable row level security;
create policy meeting_participants_read_by_admins on meeting_participants for select
  using (tenant_id = request_tenant_id() and request_is_admin());

alter table meeting_recordings enable row level security;
create policy meeting_recordings_read_by_admins on meeting_recordings for select
  using (tenant_id = request_tenant_id() and request_is_admin());
