import type { MeetingStatus } from "../_shared/domain/meetings/statuses.ts";
import { meetingKindOf, type MeetingKind } from "./meeting-request.ts";

/** A meeting as admins see it. Never the host's start_url (not stored) nor the passcode (sealed; members get it with the SDK signature). */
export interface MeetingView {
  id: string;
  zoomMeetingId: number;
  /** The occurrence the status describes (Zoom issues a new uuid per occurrence). */
  uuid: string | null;
  type: MeetingKind;
  topic: string;
  startTime: string | null;
  /** Minutes. */
  duration: number | null;
  timezone: string | null;
  recurrence: Record<string, unknown> | null;
  autoRecording: string;
  /** The teacher's Zoom user it runs under (null: created under the app's own user before hosts were kept). */
  hostEmail: string | null;
  joinUrl: string;
  status: MeetingStatus;
  startedAt: string | null;
  endedAt: string | null;
  recordingStatus: string;
  recordingCompletedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface MeetingRow {
  [column: string]: unknown;
  id: string; zoom_meeting_id: number; uuid: string | null; type: number; topic: string; start_time: Date | null;
  duration: number | null; timezone: string | null; recurrence: Record<string, unknown> | null; auto_recording: string;
  host_email: string | null; join_url: string; status: MeetingStatus; started_at: Date | null; ended_at: Date | null; recording_status: string;
  recording_completed_at: Date | null; created_at: Date; updated_at: Date; created_micros: number;
}

/** The columns a MeetingRow is read from (`created_micros` feeds the list's cursor). */
export const MEETING_COLUMNS = `id, zoom_meeting_id, uuid, type, topic, start_time, duration, timezone, recurrence, auto_recording,
  host_email, join_url, status, started_at, ended_at, recording_status, recording_completed_at, created_at, updated_at,
  (extract(epoch from created_at) * 1000000)::int8 as created_micros`;

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function meetingView(row: MeetingRow): MeetingView {
  return {
    id: row.id,
    zoomMeetingId: row.zoom_meeting_id,
    uuid: row.uuid,
    type: meetingKindOf(row.type),
    topic: row.topic,
    startTime: iso(row.start_time),
    duration: row.duration,
    timezone: row.timezone,
    recurrence: row.recurrence,
    autoRecording: row.auto_recording,
    hostEmail: row.host_email,
    joinUrl: row.join_url,
    status: row.status,
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
    recordingStatus: row.recording_status,
    recordingCompletedAt: iso(row.recording_completed_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
