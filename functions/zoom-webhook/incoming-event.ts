import { utf8Text } from "../_shared/crypto/encoding.ts";
import type { ZoomEvent } from "../_shared/verify/zoom.ts";
import type { IncomingEvent } from "../_shared/webhooks/record-event.ts";
import { meetingIdOf, objectOf, stringOf } from "./events/fields.ts";

// Credentials some events carry: `recording.completed` has a `download_token` (downloads every file of the
// recording for 24 h) and the recording's passcodes. They are of no use to an effect and must not sit in
// webhook_events, which admins browse, so the stored copy has them replaced.
const TOP_LEVEL_SECRETS = ["download_token"];
const OBJECT_SECRETS = ["password", "recording_play_passcode"];
const REDACTED = "[redacted]";

function withoutSecrets(event: ZoomEvent): ZoomEvent | undefined {
  const object = objectOf(event);
  const topLevel = TOP_LEVEL_SECRETS.filter((key) => key in event);
  const inObject = OBJECT_SECRETS.filter((key) => key in object);
  if (!topLevel.length && !inObject.length) return undefined;
  const copy: ZoomEvent = { ...event };
  for (const key of topLevel) copy[key] = REDACTED;
  if (inObject.length) {
    const redactedObject = { ...object };
    for (const key of inObject) redactedObject[key] = REDACTED;
    copy.payload = { ...event.payload, object: redactedObject };
  }
  return copy;
}

/**
 * A verified Zoom event as stored: keyed for idempotency on event + object uuid (else id) + `event_ts`
 * (Zoom sends no event id, and its retries repeat the body), and stored as the verified raw body unless
 * it carries credentials, which are replaced first.
 * @example const incoming = incomingZoomEvent(await verifyZoom(input), rawBody);
 */
export function incomingZoomEvent(event: ZoomEvent, body: Uint8Array): IncomingEvent {
  const object = objectOf(event);
  const subject = stringOf(object.uuid) ?? meetingIdOf(object.id) ?? stringOf(object.id) ?? "-";
  const redacted = withoutSecrets(event);
  return {
    externalId: `${event.event}:${subject}:${event.event_ts}`,
    eventType: event.event,
    payload: redacted ?? event,
    ...(redacted ? {} : { payloadJson: utf8Text(body) }),
  };
}
