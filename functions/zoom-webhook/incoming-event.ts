import { utf8Text } from "../_shared/crypto/encoding.ts";
import type { ZoomEvent } from "../_shared/verify/zoom.ts";
import type { IncomingEvent } from "../_shared/webhooks/record-event.ts";
import { meetingIdOf, objectOf, participantIdOf, stringOf } from "./events/fields.ts";

/**
 * A verified Zoom event as stored: keyed for idempotency on event + object uuid (else id) [+ participant user_id] + `event_ts`
 * (Zoom sends no event id, and its retries repeat the body), with the verified raw body as its text.
 * Credentials some events carry (`download_token`, passcodes, `?pwd=` in URLs) are replaced before storage
 * by recordAndApply (functions/_shared/webhooks/redact-secrets.ts), as for every provider.
 * @example const incoming = incomingZoomEvent(await verifyZoom(input), rawBody);
 */
export function incomingZoomEvent(event: ZoomEvent, body: Uint8Array): IncomingEvent {
  const object = objectOf(event);
  const subject = stringOf(object.uuid) ?? meetingIdOf(object.id) ?? stringOf(object.id) ?? "-";
  // Participant events of one meeting can share an event_ts (a class joining at 9:00): the join's own id
  // (participant.user_id) keeps them apart.
  const participantId = participantIdOf(object.participant);
  const who = participantId ? `:${participantId}` : "";
  return {
    externalId: `${event.event}:${subject}${who}:${event.event_ts}`,
    eventType: event.event,
    payload: event,
    payloadJson: utf8Text(body),
  };
}
