import { applyZoomSideUpdateStatement, markDeletedInZoomStatement } from "../../_shared/domain/meetings/zoom-side-changes.ts";
import { eventTimeOf, meetingIdOf, objectOf, stringOf, timeOf } from "./fields.ts";
import type { ZoomEventEffect } from "./types.ts";

const positiveInt = (value: unknown) => (typeof value === "number" && Number.isInteger(value) && value > 0 && value <= 100_000 ? value : undefined);
const AUTO_RECORDING = new Set(["none", "local", "cloud"]);

/**
 * `meeting.updated` made in Zoom (its web portal, a teacher's client) → the row: `payload.object` holds the
 * id and only the fields that changed (`old_object` their old values; rivet `meetings.d.ts`). An update of a
 * single occurrence (`occurrences` present) leaves the series' row as it is.
 */
export const onMeetingUpdated: ZoomEventEffect = (tenantId, event) => {
  const object = objectOf(event);
  const zoomMeetingId = meetingIdOf(object.id);
  const eventAt = eventTimeOf(event);
  if (!zoomMeetingId || !eventAt || "occurrences" in object) return undefined;
  const settings = (typeof object.settings === "object" && object.settings !== null ? object.settings : {}) as Record<string, unknown>;
  const autoRecording = typeof settings.auto_recording === "string" && AUTO_RECORDING.has(settings.auto_recording)
    ? (settings.auto_recording as "none" | "local" | "cloud") : undefined;
  const change = {
    tenantId, zoomMeetingId, eventAt,
    topic: stringOf(object.topic)?.slice(0, 200),
    startTime: timeOf(object.start_time),
    duration: positiveInt(object.duration),
    timezone: stringOf(object.timezone)?.slice(0, 100),
    autoRecording,
  };
  return { statements: (gate) => [applyZoomSideUpdateStatement(change, gate)] };
};

/**
 * `meeting.deleted` made in Zoom → the row is marked deleted (final). Deleting one occurrence of a
 * recurring meeting (`occurrences` present) keeps the series.
 */
export const onMeetingDeleted: ZoomEventEffect = (tenantId, event) => {
  const object = objectOf(event);
  const zoomMeetingId = meetingIdOf(object.id);
  if (!zoomMeetingId || "occurrences" in object) return undefined;
  return { statements: (gate) => [markDeletedInZoomStatement({ tenantId, zoomMeetingId }, gate)] };
};
