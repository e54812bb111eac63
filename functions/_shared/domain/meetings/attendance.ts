import { sql, type Statement } from "../../db/sql.ts";

/** One participant's join or leave, as a Zoom `meeting.participant_joined|left` event reports it. */
export interface AttendanceChange {
  tenantId: string;
  /** Zoom's meeting number, as decimal digits. */
  zoomMeetingId: string;
  /** The occurrence (Zoom's meeting uuid). */
  meetingUuid: string;
  /** The join's participant id (Zoom's `user_id`: one per join of the occurrence). */
  participantId: string;
  participantUuid: string | null;
  userName: string | null;
  email: string | null;
  kind: "joined" | "left";
  /** `join_time` (joined) or `leave_time` (left), ISO 8601. */
  at: string;
  leaveReason: string | null;
}

/**
 * Records a join or a leave as one gated statement (see EventEffect), one row per participant and join.
 * Forward only, and in any order: a join fills only `join_time`, a leave only `leave_time` (and why), each
 * only while still empty — so a leave delivered before its join still ends the row right, and a duplicate
 * changes nothing. Events about a meeting this school did not create here (no row) are left alone.
 */
export function recordAttendanceStatement(change: AttendanceChange, gate: Statement): Statement {
  const joinTime = change.kind === "joined" ? change.at : null;
  const leaveTime = change.kind === "left" ? change.at : null;
  const fill = change.kind === "joined"
    ? sql`join_time = excluded.join_time`
    : sql`leave_time = excluded.leave_time, leave_reason = excluded.leave_reason`;
  const empty = change.kind === "joined" ? sql`meeting_participants.join_time is null` : sql`meeting_participants.leave_time is null`;
  return sql`
    insert into meeting_participants (tenant_id, meeting_id, meeting_uuid, participant_id, participant_uuid, user_name, email,
                                      join_time, leave_time, leave_reason)
    select m.tenant_id, m.id, ${change.meetingUuid}::text, ${change.participantId}::text, ${change.participantUuid}::text,
           ${change.userName}::text, ${change.email}::text, ${joinTime}::timestamptz, ${leaveTime}::timestamptz, ${change.leaveReason}::text
      from meetings m
     where m.tenant_id = ${change.tenantId}::uuid and m.zoom_meeting_id = ${change.zoomMeetingId}::bigint and ${gate}
    on conflict (tenant_id, meeting_id, meeting_uuid, participant_id) do update set ${fill},
      participant_uuid = coalesce(meeting_participants.participant_uuid, excluded.participant_uuid),
      user_name = coalesce(meeting_participants.user_name, excluded.user_name),
      email = coalesce(meeting_participants.email, excluded.email),
      updated_at = now()
     where ${empty}`;
}
