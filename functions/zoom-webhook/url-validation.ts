import { hmacSha256Hex } from "../_shared/crypto/hmac.ts";
import { json } from "../_shared/http/responses.ts";
import type { ZoomEvent } from "../_shared/verify/zoom.ts";
import type { IncomingEvent } from "../_shared/webhooks/record-event.ts";

/**
 * Zoom's endpoint check (`endpoint.url_validation`, sent when the URL is saved in the app and every 72 h):
 * 200 `{plainToken, encryptedToken: hex HMAC-SHA256(secretToken, plainToken)}`. Reached only once the
 * request's own signature verified, so nobody without the secret token can make this endpoint answer it.
 * Other events: `undefined` (they are stored).
 * @example respond: answerUrlValidation
 */
export function answerUrlValidation(events: IncomingEvent[], secrets: string[]): Response | undefined {
  const [event] = events;
  if (events.length !== 1 || event?.eventType !== "endpoint.url_validation") return undefined;
  const plainToken = (event.payload as ZoomEvent).payload!.plainToken!;
  // A Zoom app has one secret token, so the secret that verified the request is the only one there is.
  const secretToken = secrets.find((secret) => secret.trim())!;
  return json({ plainToken, encryptedToken: hmacSha256Hex(secretToken, plainToken) });
}
