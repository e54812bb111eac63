import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { json } from "../_shared/http/responses.ts";
import { isUuid } from "../_shared/http/uuid.ts";
import { meetingNotFound } from "./meeting-lock.ts";

interface ParticipantRow {
  [column: string]: unknown;
  meeting_uuid: string; participant_id: string; participant_uuid: string | null; user_name: string | null; email: string | null;
  join_time: Date | null; leave_time: Date | null; leave_reason: string | null;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/**
 * GET /api/admin/zoom/meetings/{id}/participants — the meeting's attendance as Zoom's webhooks reported it:
 * one entry per join (a participant who left and came back is listed twice), in join order, every
 * occurrence of the meeting. `joinTime` or `leaveTime` is null while Zoom has not (yet) reported it.
 * Deleted meetings keep their attendance; another tenant's meeting is not found (404).
 */
export async function listParticipants(_req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const id = ctx.params.id;
  if (!isUuid(id)) throw meetingNotFound();
  const [meeting] = await ctx.db.query<{ id: string }>("select id from meetings where tenant_id = $1 and id = $2", [admin.tenantId, id]);
  if (!meeting) throw meetingNotFound();
  const rows = await ctx.db.query<ParticipantRow>(
    `select meeting_uuid, participant_id, participant_uuid, user_name, email, join_time, leave_time, leave_reason
       from meeting_participants where tenant_id = $1 and meeting_id = $2
      order by coalesce(join_time, leave_time), id`,
    [admin.tenantId, meeting.id],
  );
  return json({
    meetingId: meeting.id,
    participants: rows.map((row) => ({
      occurrenceUuid: row.meeting_uuid,
      participantId: row.participant_id,
      participantUuid: row.participant_uuid,
      userName: row.user_name,
      email: row.email,
      joinTime: iso(row.join_time),
      leaveTime: iso(row.leave_time),
      leaveReason: row.leave_reason,
    })),
  });
}
