// Zoom webhook requests signed the way Zoom documents it, with Node's crypto (never with the code under test):
// `x-zm-signature: v0=` + hex HMAC-SHA256(secretToken, `v0:${x-zm-request-timestamp}:${rawBody}`), the
// timestamp in seconds; and event bodies shaped like Zoom's documented payloads.
import { createHmac } from "node:crypto";

/** The `x-zm-signature` value for `body` at `timestamp` (seconds). */
export function zoomSignature(body: string | Uint8Array, timestamp: number | string, secretToken: string): string {
  const mac = createHmac("sha256", secretToken).update(`v0:${timestamp}:`).update(body).digest("hex");
  return `v0=${mac}`;
}

/** What Zoom expects back from `endpoint.url_validation`: hex HMAC-SHA256(secretToken, plainToken). */
export function zoomEncryptedToken(plainToken: string, secretToken: string): string {
  return createHmac("sha256", secretToken).update(plainToken).digest("hex");
}

/**
 * A signed POST to the Zoom webhook of `tenantId` (or the tenant-less route). `signature: null` /
 * `timestamp: null` leave that header out; a string replaces it as-is.
 */
export function signedZoomRequest(
  tenantId: string | undefined,
  body: string | Uint8Array,
  options: { secretToken: string; timestamp: number; signature?: string | null; timestampHeader?: string | null },
): Request {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8", "user-agent": "Zoom Marketplace/1.0a" });
  const timestampHeader = options.timestampHeader === undefined ? String(options.timestamp) : options.timestampHeader;
  if (timestampHeader !== null) headers.set("x-zm-request-timestamp", timestampHeader);
  const signature = options.signature === undefined ? zoomSignature(body, options.timestamp, options.secretToken) : options.signature;
  if (signature !== null) headers.set("x-zm-signature", signature);
  const path = tenantId === undefined ? "/api/webhooks/zoom" : `/api/webhooks/zoom/${tenantId}`;
  return new Request(`https://ips.example.test${path}`, { method: "POST", headers, body: body as BodyInit });
}

/** A meeting number as Zoom issues them (11 digits). */
export const zoomMeetingNumber = (): number => 80_000_000_000 + Math.floor(Math.random() * 9_999_999_999);

/** A meeting instance uuid as Zoom writes them (base64 of 16 bytes). */
export const zoomMeetingUuid = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");

/** `meeting.started` / `meeting.ended` as Zoom delivers them (developers.zoom.us, Meetings API events). */
export function meetingEvent(
  event: "meeting.started" | "meeting.ended",
  fields: { id: number | string; uuid: string; eventTs: number; startTime?: string; endTime?: string; topic?: string },
) {
  return {
    event,
    event_ts: fields.eventTs,
    payload: {
      account_id: "AbCdEfGhIjKlMnOpQrStUv",
      object: {
        id: fields.id,
        uuid: fields.uuid,
        host_id: "z8yCxjabcdEFGHfgQuFKQ",
        topic: fields.topic ?? "Algebra I — Zoë's class",
        type: 2,
        start_time: fields.startTime ?? new Date(fields.eventTs).toISOString().replace(/\.\d{3}Z$/, "Z"),
        timezone: "America/New_York",
        duration: 60,
        ...(event === "meeting.ended" ? { end_time: fields.endTime ?? new Date(fields.eventTs).toISOString().replace(/\.\d{3}Z$/, "Z") } : {}),
      },
    },
  };
}

/** `recording.completed` as Zoom delivers it, with the `download_token` (valid 24 h) it carries. */
export function recordingCompletedEvent(fields: { id: number | string; uuid: string; eventTs: number; downloadToken?: string }) {
  return {
    event: "recording.completed",
    event_ts: fields.eventTs,
    payload: {
      account_id: "AbCdEfGhIjKlMnOpQrStUv",
      object: {
        id: fields.id,
        uuid: fields.uuid,
        host_id: "z8yCxjabcdEFGHfgQuFKQ",
        account_id: "AbCdEfGhIjKlMnOpQrStUv",
        topic: "Algebra I — Zoë's class",
        type: 2,
        start_time: "2026-12-01T15:00:00Z",
        timezone: "America/New_York",
        host_email: "teacher@school.example",
        duration: 58,
        total_size: 52_428_800,
        recording_count: 1,
        share_url: "https://example.zoom.us/rec/share/AbCdEf",
        password: "Xy7!pQ",
        recording_play_passcode: "RpPasscode123",
        recording_files: [{
          id: "ed6c2f27-2ae7-42f4-b3d0-835b493e4fa8",
          meeting_id: fields.uuid,
          recording_start: "2026-12-01T15:00:10Z",
          recording_end: "2026-12-01T15:58:00Z",
          file_type: "MP4",
          file_extension: "MP4",
          file_size: 52_428_800,
          play_url: "https://example.zoom.us/rec/play/AbCdEf",
          download_url: "https://example.zoom.us/rec/download/AbCdEf",
          status: "completed",
          recording_type: "shared_screen_with_speaker_view",
        }],
      },
    },
    download_token: fields.downloadToken ?? "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.download-token-body.signature",
  };
}

/** `endpoint.url_validation` as Zoom sends it when the endpoint URL is saved (and every 72 h). */
export function urlValidationEvent(plainToken: string, eventTs: number) {
  return { payload: { plainToken }, event_ts: eventTs, event: "endpoint.url_validation" };
}

/**
 * `meeting.participant_joined` / `meeting.participant_left` as Zoom delivers them (zoom/rivet-javascript
 * `meetings/meetings.d.ts`, MeetingParticipantJoinedEvent / MeetingParticipantLeftEvent): the meeting `id` is
 * a string here; `participant.user_id` is the join's id within the occurrence; `join_time` or `leave_time`.
 */
export function participantEvent(
  event: "meeting.participant_joined" | "meeting.participant_left",
  fields: { id: number | string; uuid: string; eventTs: number; userId: string; at: string; userName?: string; email?: string; participantUuid?: string },
) {
  const joined = event === "meeting.participant_joined";
  return {
    event,
    event_ts: fields.eventTs,
    payload: {
      account_id: "AbCdEfGhIjKlMnOpQrStUv",
      object: {
        id: String(fields.id),
        uuid: fields.uuid,
        host_id: "z8yCxjabcdEFGHfgQuFKQ",
        topic: "Algebra I — Zoë's class",
        type: 2,
        start_time: "2026-12-01T15:00:00Z",
        timezone: "America/New_York",
        duration: 60,
        participant: {
          user_id: fields.userId,
          user_name: fields.userName ?? "Ada Lovelace",
          id: "",
          participant_uuid: fields.participantUuid ?? "8QJp3DgqRDiFXpvRDBcNaA",
          email: fields.email ?? "ada@family.example",
          participant_user_id: "",
          customer_key: "",
          phone_number: "",
          ...(joined ? { join_time: fields.at } : { leave_time: fields.at, leave_reason: "Ada Lovelace left the meeting. Reason : left the meeting" }),
        },
      },
    },
  };
}

/**
 * `meeting.updated` made in Zoom (rivet `MeetingUpdatedEvent`): `object` holds the id and only what changed,
 * `old_object` the values before.
 */
export function meetingUpdatedEvent(fields: { id: number; eventTs: number; object: Record<string, unknown>; oldObject?: Record<string, unknown> }) {
  return {
    event: "meeting.updated",
    event_ts: fields.eventTs,
    payload: {
      account_id: "AbCdEfGhIjKlMnOpQrStUv",
      operator: "ms.rivera@school.example",
      operator_id: "z8yCxjabcdEFGHfgQuFKQ",
      operation: "all",
      object: { id: fields.id, ...fields.object },
      old_object: { id: fields.id, ...(fields.oldObject ?? {}) },
      time_stamp: fields.eventTs,
    },
  };
}

/** `meeting.deleted` made in Zoom (rivet `MeetingDeletedEvent`); `occurrences` when only some occurrences were deleted. */
export function meetingDeletedEvent(fields: { id: number; uuid: string; eventTs: number; occurrences?: { occurrence_id: string; start_time: string }[] }) {
  return {
    event: "meeting.deleted",
    event_ts: fields.eventTs,
    payload: {
      account_id: "AbCdEfGhIjKlMnOpQrStUv",
      operator: "ms.rivera@school.example",
      operator_id: "z8yCxjabcdEFGHfgQuFKQ",
      operation: fields.occurrences ? "single" : "all",
      object: {
        uuid: fields.uuid, id: fields.id, host_id: "z8yCxjabcdEFGHfgQuFKQ", topic: "Algebra I — Zoë's class", type: 8,
        start_time: "2026-12-01T15:00:00Z", duration: 60, timezone: "America/New_York",
        ...(fields.occurrences ? { occurrences: fields.occurrences } : {}),
      },
    },
  };
}
