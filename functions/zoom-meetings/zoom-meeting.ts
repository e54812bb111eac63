import { ZoomApiError } from "../_shared/providers/zoom/errors.ts";

/** The fields of Zoom's meeting object (201 of POST /v2/users/{userId}/meetings) this function reads. */
export interface ZoomMeeting {
  id: number;
  uuid: string | null;
  join_url: string;
  /** The host's link with a host token in it: answered once to the creating admin, never stored. */
  start_url: string | null;
  start_time: string | null;
  duration: number | null;
  timezone: string | null;
  /** The meeting's passcode (`""` when it has none): sealed before it is stored, handed to members with the SDK signature. */
  password: string;
  /** The host's email as Zoom has it (what `me` resolves to). */
  host_email: string | null;
}

const stringOr = (value: unknown) => (typeof value === "string" && value ? value : null);

/** Zoom's answer to a create, checked: without an id and a join_url there is no meeting to record. */
export function createdZoomMeeting(answer: unknown): ZoomMeeting {
  const m = (typeof answer === "object" && answer !== null ? answer : {}) as Record<string, unknown>;
  if (typeof m.id !== "number" || !Number.isSafeInteger(m.id) || m.id <= 0 || !stringOr(m.join_url)) {
    throw new ZoomApiError({ status: 201, stage: "api", code: "invalid_response", zoomMessage: "Zoom's answer has no meeting id or join_url" });
  }
  return {
    id: m.id,
    uuid: stringOr(m.uuid),
    join_url: m.join_url as string,
    start_url: stringOr(m.start_url),
    start_time: stringOr(m.start_time) && !Number.isNaN(Date.parse(m.start_time as string)) ? (m.start_time as string) : null,
    duration: typeof m.duration === "number" && Number.isInteger(m.duration) && m.duration > 0 ? m.duration : null,
    timezone: stringOr(m.timezone),
    password: typeof m.password === "string" ? m.password : "",
    host_email: stringOr(m.host_email)?.toLowerCase() ?? null,
  };
}
