// Zoom webhooks: the event as Zoom posts it, signed as Zoom signs it — `x-zm-request-timestamp` (seconds) and
// `x-zm-signature: v0=` + hex(HMAC-SHA256(secretToken, `v0:${timestamp}:${rawBody}`)).
import { createHmac, randomBytes } from "node:crypto";
import type { SimulatedProvider } from "./provider.ts";
import { secretOf } from "./provider.ts";

const EVENTS = [
  "meeting.started", "meeting.ended", "meeting.updated", "meeting.deleted", "meeting.participant_joined", "meeting.participant_left",
  "recording.completed", "endpoint.url_validation",
];

const zoomTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export const zoomProvider: SimulatedProvider = {
  key: "zoom",
  events: EVENTS,
  acceptsOtherEvents: false,
  build(event, input) {
    if (event === "endpoint.url_validation") {
      const plainToken = randomBytes(16).toString("base64url");
      const body = { payload: { plainToken }, event_ts: input.now, event };
      return { body: JSON.stringify(body), describe: `${event} plainToken ${plainToken}` };
    }
    const meetingId = Number(input.objectId ?? 80_000_000_000 + Math.floor(Math.random() * 9_999_999_999));
    const start = zoomTime(input.now - 30 * 60_000);
    const object: Record<string, unknown> = {
      id: meetingId,
      uuid: `${randomBytes(16).toString("base64").slice(0, 22)}==`,
      host_id: "z8yCxjabT6C2iqp1CBUGMA",
      topic: "Grade 5 — Mathematics",
      type: 2,
      start_time: start,
      duration: 60,
      timezone: "America/New_York",
    };
    if (event === "meeting.ended") object.end_time = zoomTime(input.now);
    if (event.startsWith("meeting.participant_")) {
      object.participant = { user_id: "16778240", user_name: "Ada Student", email: "ada@student.example", join_time: start, participant_uuid: randomBytes(8).toString("hex") };
    }
    if (event === "recording.completed") {
      object.recording_files = [{ id: randomBytes(8).toString("hex"), file_type: "MP4", recording_type: "shared_screen_with_speaker_view", status: "completed" }];
    }
    const payload: Record<string, unknown> = { account_id: "AAAAAbbbbbCCCCCddddd12", object };
    if (event === "meeting.updated") {
      // A teacher moved the class in Zoom: `object` holds the id and only what changed, `old_object` its old
      // values (Zoom's meeting.updated reference; rivet `meetings.d.ts`).
      const moved = zoomTime(input.now + 24 * 60 * 60_000);
      payload.object = { id: meetingId, uuid: object.uuid, start_time: moved, topic: "Grade 5 — Mathematics (moved)" };
      payload.old_object = { id: meetingId, uuid: object.uuid, start_time: start, topic: object.topic };
      Object.assign(payload, { operator: "teacher@school.example", operator_id: "z8yCxjabT6C2iqp1CBUGMA", operation: "all", time_stamp: input.now });
    }
    if (event === "meeting.deleted") {
      Object.assign(payload, { operator: "teacher@school.example", operator_id: "z8yCxjabT6C2iqp1CBUGMA", operation: "all" });
    }
    const body = { event, event_ts: input.now, payload };
    return { body: JSON.stringify(body), describe: `${event} meeting ${meetingId} at event_ts ${input.now}` };
  },
  sign(body, key, timestampSeconds) {
    const signature = createHmac("sha256", secretOf(key)).update(`v0:${timestampSeconds}:${body}`, "utf8").digest("hex");
    return {
      "content-type": "application/json; charset=utf-8",
      "user-agent": "Zoom Marketplace/1.0a",
      "x-zm-request-timestamp": String(timestampSeconds),
      "x-zm-signature": `v0=${signature}`,
    };
  },
};
