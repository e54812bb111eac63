import { onMeetingStatus } from "./meeting-status.ts";
import { onRecordingCompleted } from "./recording-completed.ts";
import type { ZoomEventEffect } from "./types.ts";

/** The Zoom events we act on. Any other type is stored and acknowledged, never rejected. */
export const ZOOM_EVENT_EFFECTS: Readonly<Record<string, ZoomEventEffect>> = {
  "meeting.started": onMeetingStatus,
  "meeting.ended": onMeetingStatus,
  "recording.completed": onRecordingCompleted,
};
