// PostgreSQL's text and jsonb cannot hold U+0000 (jsonb refuses the `\u0000` escape, text the byte), so a
// signed event carrying one — no real provider sends it, a fuzzer does — would fail both the insert and the
// `failed` row that records a failure, and surface as a 500. It is stored with U+FFFD in its place instead:
// still stored, still acknowledged, like any other event we cannot apply.
import type { IncomingEvent } from "./record-event.ts";

const NUL = "\u0000";
const REPLACEMENT = "\uFFFD";
// In JSON text a NUL only appears escaped; a literal backslash before `u0000` is a harmless false alarm.
const MAY_HOLD_NUL = /\\u0000/i;

function withoutNul(value: unknown): unknown {
  if (typeof value === "string") return value.replaceAll(NUL, REPLACEMENT);
  if (Array.isArray(value)) return value.map(withoutNul);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key.replaceAll(NUL, REPLACEMENT), withoutNul(v)]));
  }
  return value;
}

/** The event as PostgreSQL can store it: unchanged (same object) unless a NUL is somewhere in it. */
export function storableEvent(event: IncomingEvent, payloadJson: string): { event: IncomingEvent; payloadJson: string } {
  const clean = (text: string) => text.replaceAll(NUL, REPLACEMENT);
  const inPayload = MAY_HOLD_NUL.test(payloadJson);
  if (!inPayload && !event.eventType.includes(NUL) && !event.externalId.includes(NUL)) return { event, payloadJson };
  const payload = inPayload ? withoutNul(event.payload) : event.payload;
  const json = payload === event.payload ? payloadJson : JSON.stringify(payload);
  return { event: { ...event, eventType: clean(event.eventType), externalId: clean(event.externalId), payload, payloadJson: json }, payloadJson: json };
}
