import { onMeetingDeleted, onMeetingUpdated } from "./meeting-changed-in-zoom.ts";
import { onMeetingStatus } from "./meeting-status.ts";
import { onParticipant } from "./participant.ts";
import { onRecordingCompleted } from "./recording-completed.ts";
import type { ZoomEventEffect } from "./types.ts";

/**
 * The Zoom events we act on. Any other type is stored and acknowledged, never rejected. A Map: an event
 * type is data, and `__proto__` or `constructor` must find nothing.
 */
export const ZOOM_EVENT_EFFECTS: ReadonlyMap<string, ZoomEventEffect> = new Map(Object.entries({
  "meeting.started": onMeetingStatus,
  "meeting.ended": onMeetingStatus,
  "meeting.updated": onMeetingUpdated,
  "meeting.deleted": onMeetingDeleted,
  "meeting.participant_joined": onParticipant,
  "meeting.participant_left": onParticipant,
  "recording.completed": onRecordingCompleted,
}));
