import { recordAttendanceStatement } from "../../_shared/domain/meetings/attendance.ts";
import { meetingIdOf, objectOf, participantIdOf, stringOf, timeOf } from "./fields.ts";
import type { ZoomEventEffect } from "./types.ts";

/**
 * `meeting.participant_joined` / `meeting.participant_left` → the meeting's attendance, one row per join
 * (`payload.object.{id, uuid, participant: {user_id, user_name, participant_uuid?, email, join_time | leave_time,
 * leave_reason?}}`; zoom/rivet-javascript `meetings/meetings.d.ts`). The meeting id is a string in these events.
 */
export const onParticipant: ZoomEventEffect = (tenantId, event) => {
  const object = objectOf(event);
  const participant = (typeof object.participant === "object" && object.participant !== null ? object.participant : {}) as Record<string, unknown>;
  const zoomMeetingId = meetingIdOf(object.id);
  const meetingUuid = stringOf(object.uuid);
  const participantId = participantIdOf(participant);
  const kind = event.event === "meeting.participant_joined" ? "joined" : "left";
  const at = timeOf(kind === "joined" ? participant.join_time : participant.leave_time);
  if (!zoomMeetingId || !meetingUuid || !participantId || !at) return undefined;
  const change = {
    tenantId, zoomMeetingId, meetingUuid, participantId, kind, at,
    participantUuid: stringOf(participant.participant_uuid) ?? null,
    userName: stringOf(participant.user_name)?.slice(0, 200) ?? null,
    email: stringOf(participant.email)?.toLowerCase().slice(0, 320) ?? null,
    leaveReason: kind === "left" ? (stringOf(participant.leave_reason)?.slice(0, 500) ?? null) : null,
  } as const;
  return { statements: (gate) => [recordAttendanceStatement(change, gate)] };
};
