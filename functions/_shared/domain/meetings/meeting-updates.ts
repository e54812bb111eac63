import { sql, type Statement } from "../../db/sql.ts";
import { MEETING_STATUS_RANK } from "./statuses.ts";

export interface MeetingStatusChange {
  tenantId: string;
  /** Zoom's meeting number, as decimal digits. */
  zoomMeetingId: string;
  /** The occurrence the event is about. */
  uuid: string | null;
  status: "started" | "ended";
  /** The event's `event_ts`, ISO 8601. */
  eventAt: string;
  /** When the occurrence started (`started`) or ended (`ended`), ISO 8601. */
  at: string;
}

/**
 * Moves a meeting to `started` or `ended` as one statement that changes nothing unless `gate` holds (see
 * EventEffect). Forward only: within the occurrence the row describes (same uuid) the rank must rise; an
 * event about another occurrence applies only when it is newer than the one that set the status — so the
 * next occurrence of a recurring meeting starts over, and a late event from an earlier one changes nothing.
 * A meeting this school did not create here (no row) is left alone; a deleted one stays deleted.
 */
export function advanceMeetingStatusStatement(change: MeetingStatusChange, gate: Statement): Statement {
  const rank = MEETING_STATUS_RANK[change.status];
  const times = change.status === "started"
    ? sql`started_at = ${change.at}::timestamptz, ended_at = null`
    : sql`ended_at = ${change.at}::timestamptz`;
  return sql`
    update meetings set
      status = ${change.status}::text, status_rank = ${rank}::smallint, status_event_at = ${change.eventAt}::timestamptz,
      uuid = coalesce(${change.uuid}::text, uuid), ${times}, updated_at = now()
     where tenant_id = ${change.tenantId}::uuid and zoom_meeting_id = ${change.zoomMeetingId}::bigint
       and status <> 'deleted' and ${gate}
       and (status_event_at is null
            or (uuid is not distinct from ${change.uuid}::text and status_rank < ${rank}::smallint)
            or (uuid is distinct from ${change.uuid}::text and status_event_at < ${change.eventAt}::timestamptz))`;
}

/**
 * Records that a meeting's cloud recording is ready, as one gated statement. Forward only: the newest
 * completion is kept (each occurrence of a recurring meeting completes its own recording).
 */
export function recordRecordingCompletedStatement(
  change: { tenantId: string; zoomMeetingId: string; eventAt: string }, gate: Statement,
): Statement {
  return sql`
    update meetings set recording_status = 'completed', recording_completed_at = ${change.eventAt}::timestamptz, updated_at = now()
     where tenant_id = ${change.tenantId}::uuid and zoom_meeting_id = ${change.zoomMeetingId}::bigint and ${gate}
       and (recording_completed_at is null or recording_completed_at < ${change.eventAt}::timestamptz)`;
}
