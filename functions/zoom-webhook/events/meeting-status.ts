import { advanceMeetingStatusStatement } from "../../_shared/domain/meetings/meeting-updates.ts";
import { eventTimeOf, meetingIdOf, objectOf, stringOf, timeOf } from "./fields.ts";
import type { ZoomEventEffect } from "./types.ts";

/** `meeting.started` / `meeting.ended` → the meeting's status (and when it started or ended), forward only. */
export const onMeetingStatus: ZoomEventEffect = (tenantId, event) => {
  const object = objectOf(event);
  const zoomMeetingId = meetingIdOf(object.id);
  const eventAt = eventTimeOf(event);
  if (!zoomMeetingId || !eventAt) return undefined;
  const status = event.event === "meeting.started" ? "started" : "ended";
  const change = {
    tenantId,
    zoomMeetingId,
    uuid: stringOf(object.uuid) ?? null,
    status,
    eventAt,
    at: timeOf(status === "started" ? object.start_time : object.end_time) ?? eventAt,
  } as const;
  return { statements: (gate) => [advanceMeetingStatusStatement(change, gate)] };
};
