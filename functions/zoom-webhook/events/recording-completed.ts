import { recordRecordingCompletedStatement } from "../../_shared/domain/meetings/meeting-updates.ts";
import { upsertRecordingFilesStatement, type RecordingFile } from "../../_shared/domain/meetings/recordings.ts";
import { eventTimeOf, meetingIdOf, objectOf, stringOf, timeOf } from "./fields.ts";
import type { ZoomEventEffect } from "./types.ts";

/**
 * The files of a `recording.completed` (`payload.object.recording_files[{id, file_type, file_size, play_url?,
 * recording_start, recording_end, status, recording_type}]`; rivet `meetings.d.ts`): only what a school shows.
 * `download_url` is left out — it works only with the `download_token` Zoom puts beside the payload, which
 * is never kept either.
 */
function recordingFilesOf(object: Record<string, unknown>): RecordingFile[] {
  const files = Array.isArray(object.recording_files) ? object.recording_files : [];
  return files.flatMap((file): RecordingFile[] => {
    const f = (typeof file === "object" && file !== null ? file : {}) as Record<string, unknown>;
    const fileId = stringOf(f.id);
    const fileType = stringOf(f.file_type);
    if (!fileId || !fileType) return [];
    const playUrl = stringOf(f.play_url);
    return [{
      fileId: fileId.slice(0, 200),
      fileType: fileType.slice(0, 50),
      fileSize: typeof f.file_size === "number" && Number.isSafeInteger(f.file_size) && f.file_size >= 0 ? f.file_size : null,
      playUrl: playUrl && /^https:\/\//.test(playUrl) ? playUrl.slice(0, 2000) : null,
      recordingType: stringOf(f.recording_type)?.slice(0, 100) ?? null,
      recordingStart: timeOf(f.recording_start) ?? null,
      recordingEnd: timeOf(f.recording_end) ?? null,
      status: stringOf(f.status)?.slice(0, 50) ?? null,
    }];
  });
}

/** `recording.completed` → the meeting's cloud recording is ready (and since when), and its files. */
export const onRecordingCompleted: ZoomEventEffect = (tenantId, event) => {
  const object = objectOf(event);
  const zoomMeetingId = meetingIdOf(object.id);
  const eventAt = eventTimeOf(event);
  if (!zoomMeetingId || !eventAt) return undefined;
  const meetingUuid = stringOf(object.uuid);
  const files = recordingFilesOf(object);
  return {
    statements: (gate) => [
      recordRecordingCompletedStatement({ tenantId, zoomMeetingId, eventAt }, gate),
      ...(meetingUuid && files.length ? [upsertRecordingFilesStatement({ tenantId, zoomMeetingId, meetingUuid, files }, gate)] : []),
    ],
  };
};
