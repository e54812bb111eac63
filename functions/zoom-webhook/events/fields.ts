import type { ZoomEvent } from "../../_shared/verify/zoom.ts";

// Reading untrusted event fields: anything of the wrong shape is treated as absent, never thrown on.

/** The event's `payload.object`, or an empty object. */
export function objectOf(event: ZoomEvent): Record<string, unknown> {
  const object = event.payload?.object;
  return typeof object === "object" && object !== null && !Array.isArray(object) ? object : {};
}

/** A meeting number as decimal digits: Zoom sends it as a number in some events and a string in others. */
export function meetingIdOf(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === "string" && /^\d{1,18}$/.test(value) && Number(value) > 0) return value;
  return undefined;
}

/**
 * The join's participant id, `participant.user_id`: one per join of the occurrence, so it both keys
 * attendance rows and keeps apart events that share an `event_ts`. A string in today's events; a number is
 * taken as its decimal digits.
 * @example participantIdOf({ user_id: 16778240 }) // "16778240"
 */
export function participantIdOf(participant: unknown): string | undefined {
  const id = typeof participant === "object" && participant !== null ? (participant as { user_id?: unknown }).user_id : undefined;
  return typeof id === "number" ? String(id) : stringOf(id);
}

export function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value ? value : undefined;
}

/** A date-time Zoom sent (`2026-12-01T15:00:00Z`), as ISO 8601; undefined when it is not one. */
export function timeOf(value: unknown): string | undefined {
  if (typeof value !== "string" || !value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** `event_ts` (milliseconds) as ISO 8601; undefined when it is not a representable time. */
export function eventTimeOf(event: ZoomEvent): string | undefined {
  const date = new Date(event.event_ts);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
