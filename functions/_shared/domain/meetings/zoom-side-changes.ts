import { sql, type Statement } from "../../db/sql.ts";
import { MEETING_STATUS_RANK } from "./statuses.ts";

/** The meeting fields a `meeting.updated` made in Zoom may change (absent: unchanged). */
export interface ZoomSideUpdate {
  tenantId: string;
  zoomMeetingId: string;
  /** The event's `event_ts`, ISO 8601: an update older than the last one applied changes nothing. */
  eventAt: string;
  topic?: string | undefined;
  startTime?: string | undefined;
  duration?: number | undefined;
  timezone?: string | undefined;
  autoRecording?: "none" | "local" | "cloud" | undefined;
}

/** Applies a change made in Zoom itself to the meeting's row, as one gated statement; a deleted meeting stays as it is. */
export function applyZoomSideUpdateStatement(change: ZoomSideUpdate, gate: Statement): Statement {
  return sql`
    update meetings set
      topic = coalesce(${change.topic ?? null}::text, topic),
      start_time = coalesce(${change.startTime ?? null}::timestamptz, start_time),
      duration = coalesce(${change.duration ?? null}::int, duration),
      timezone = coalesce(${change.timezone ?? null}::text, timezone),
      auto_recording = coalesce(${change.autoRecording ?? null}::text, auto_recording),
      zoom_updated_at = ${change.eventAt}::timestamptz, updated_at = now()
     where tenant_id = ${change.tenantId}::uuid and zoom_meeting_id = ${change.zoomMeetingId}::bigint
       and status <> 'deleted' and ${gate}
       and (zoom_updated_at is null or zoom_updated_at < ${change.eventAt}::timestamptz)`;
}

/** Marks a meeting deleted in Zoom itself as deleted here (final; kept for its attendance and history). */
export function markDeletedInZoomStatement(change: { tenantId: string; zoomMeetingId: string }, gate: Statement): Statement {
  return sql`
    update meetings set status = 'deleted', status_rank = ${MEETING_STATUS_RANK.deleted}::smallint, deleted_at = now(), updated_at = now()
     where tenant_id = ${change.tenantId}::uuid and zoom_meeting_id = ${change.zoomMeetingId}::bigint
       and status <> 'deleted' and ${gate}`;
}
