import { sql, type Statement } from "../../db/sql.ts";

/** A recording file as kept: what a school needs to list and play it, never a download token. */
export interface RecordingFile {
  fileId: string;
  fileType: string;
  fileSize: number | null;
  playUrl: string | null;
  recordingType: string | null;
  recordingStart: string | null;
  recordingEnd: string | null;
  status: string | null;
}

/**
 * Upserts a meeting occurrence's recording files (one row per Zoom file id) as one gated statement. A
 * redelivery or a later `recording.completed` for the same files updates them in place. Files of a
 * meeting this school did not create here (no row) are left alone.
 */
export function upsertRecordingFilesStatement(
  change: { tenantId: string; zoomMeetingId: string; meetingUuid: string; files: RecordingFile[] }, gate: Statement,
): Statement {
  const rows = JSON.stringify(change.files.map((f) => ({
    file_id: f.fileId, file_type: f.fileType, file_size: f.fileSize, play_url: f.playUrl, recording_type: f.recordingType,
    recording_start: f.recordingStart, recording_end: f.recordingEnd, status: f.status,
  })));
  return sql`
    insert into meeting_recordings (tenant_id, meeting_id, meeting_uuid, file_id, file_type, file_size, play_url, recording_type,
                                    recording_start, recording_end, status)
    select m.tenant_id, m.id, ${change.meetingUuid}::text, f.file_id, f.file_type, f.file_size, f.play_url, f.recording_type,
           f.recording_start, f.recording_end, f.status
      from meetings m
     cross join jsonb_to_recordset(${rows}::jsonb) as f(file_id text, file_type text, file_size bigint, play_url text,
                                                       recording_type text, recording_start timestamptz, recording_end timestamptz, status text)
     where m.tenant_id = ${change.tenantId}::uuid and m.zoom_meeting_id = ${change.zoomMeetingId}::bigint and ${gate}
    on conflict (tenant_id, meeting_id, file_id) do update set
      file_type = excluded.file_type, file_size = excluded.file_size, play_url = excluded.play_url,
      recording_type = excluded.recording_type, recording_start = excluded.recording_start,
      recording_end = excluded.recording_end, status = excluded.status, updated_at = now()`;
}
