import { recordRecordingCompletedStatement } from "../../_shared/domain/meetings/meeting-updates.ts";
import { eventTimeOf, meetingIdOf, objectOf } from "./fields.ts";
import type { ZoomEventEffect } from "./types.ts";

/** `recording.completed` → the meeting's cloud recording is ready (and since when). */
export const onRecordingCompleted: ZoomEventEffect = (tenantId, event) => {
  const zoomMeetingId = meetingIdOf(objectOf(event).id);
  const eventAt = eventTimeOf(event);
  if (!zoomMeetingId || !eventAt) return undefined;
  return { statements: (gate) => [recordRecordingCompletedStatement({ tenantId, zoomMeetingId, eventAt }, gate)] };
};
