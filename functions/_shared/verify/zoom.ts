import { concatBytes, hexToBytes, utf8Bytes, utf8Text } from "../crypto/encoding.ts";
import { hmacSha256 } from "../crypto/hmac.ts";
import { timingSafeEqual } from "../crypto/timing-safe-equal.ts";
import { WebhookVerificationError } from "./errors.ts";

/** The fields of a Zoom webhook event this library relies on; the rest is kept as-is. */
export interface ZoomEvent {
  event: string;
  /** When Zoom generated the event, in milliseconds (the timestamp header is in seconds). */
  event_ts: number;
  payload?: {
    account_id?: string;
    object?: Record<string, unknown>;
    /** Only in `endpoint.url_validation`. */
    plainToken?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface VerifyZoomInput {
  /** The raw request body exactly as received. */
  payload: Uint8Array | string;
  /** The request headers (`x-zm-signature`, `x-zm-request-timestamp`), read case-insensitively. */
  headers: Headers;
  /** The app's webhook secret token(s). */
  secrets: readonly string[];
  /** Current time in seconds (injected for tests). */
  nowSeconds: number;
  /** Allowed clock difference either way, default 300 s. */
  toleranceSeconds?: number;
}

const SIGNATURE = /^v0=([0-9a-fA-F]{64})$/;
const TIMESTAMP = /^\d{1,12}$/;
const MAX_PLAIN_TOKEN_LENGTH = 512;

/**
 * Verifies a Zoom webhook — `x-zm-signature: v0=` + hex HMAC-SHA256(secretToken, `v0:${timestamp}:${rawBody}`)
 * over the raw bytes, compared in constant time, with `x-zm-request-timestamp` (seconds) within the
 * tolerance either way — and returns the parsed event. Zoom's own sample verifies a re-serialized
 * `JSON.stringify(req.body)` with `===` and no time window; this does neither (PROVIDERS.md).
 * `endpoint.url_validation` is verified like any event (and must carry `payload.plainToken`).
 * @example
 * const event = await verifyZoom({ payload: rawBody, headers: req.headers, secrets: [secretToken],
 *   nowSeconds: Math.floor(Date.now() / 1000) });
 */
export async function verifyZoom(input: VerifyZoomInput): Promise<ZoomEvent> {
  const { headers, secrets, nowSeconds, toleranceSeconds = 300 } = input;
  const signatureHeader = headers.get("x-zm-signature");
  const timestampHeader = headers.get("x-zm-request-timestamp");
  if (!signatureHeader) throw new WebhookVerificationError("ERR_WEBHOOK_MISSING_HEADER", "missing x-zm-signature header");
  if (!timestampHeader) throw new WebhookVerificationError("ERR_WEBHOOK_MISSING_HEADER", "missing x-zm-request-timestamp header");

  const timestamp = timestampHeader.trim();
  if (!TIMESTAMP.test(timestamp)) {
    throw new WebhookVerificationError("ERR_WEBHOOK_TIMESTAMP", "x-zm-request-timestamp is not a time in seconds");
  }
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) {
    throw new WebhookVerificationError("ERR_WEBHOOK_TIMESTAMP", "x-zm-request-timestamp is outside the tolerance");
  }
  const match = SIGNATURE.exec(signatureHeader.trim());
  if (!match) throw new WebhookVerificationError("ERR_WEBHOOK_SIGNATURE", "x-zm-signature is not v0=<64 hex characters>");
  const received = hexToBytes(match[1]!)!;

  const body = typeof input.payload === "string" ? utf8Bytes(input.payload) : input.payload;
  const signedContent = concatBytes(utf8Bytes(`v0:${timestamp}:`), body);
  let matched = false;
  for (const secret of secrets) {
    // A blank secret token matches nothing (an HMAC under an empty key is computable by anyone).
    if (!secret.trim()) continue;
    // Every secret is tried (no early exit) so timing does not tell which one matched.
    matched = timingSafeEqual(hmacSha256(secret, signedContent), received) || matched;
  }
  if (!matched) throw new WebhookVerificationError("ERR_WEBHOOK_SIGNATURE", "x-zm-signature does not match the secret token");

  return parseZoomEvent(body);
}

function parseZoomEvent(body: Uint8Array): ZoomEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Text(body));
  } catch (cause) {
    throw new WebhookVerificationError("ERR_WEBHOOK_PAYLOAD", "signed body is not valid JSON", { cause });
  }
  const e = parsed as Partial<ZoomEvent> | null;
  if (
    !e || typeof e !== "object" || Array.isArray(e) || typeof e.event !== "string" || !e.event ||
    typeof e.event_ts !== "number" || !Number.isFinite(e.event_ts) || e.event_ts < 0 ||
    (e.payload !== undefined && (typeof e.payload !== "object" || e.payload === null || Array.isArray(e.payload)))
  ) {
    throw new WebhookVerificationError("ERR_WEBHOOK_PAYLOAD", "signed body is not a Zoom event (event, event_ts, payload)");
  }
  if (e.event === "endpoint.url_validation") {
    const plainToken = e.payload?.plainToken;
    if (typeof plainToken !== "string" || !plainToken || plainToken.length > MAX_PLAIN_TOKEN_LENGTH) {
      throw new WebhookVerificationError("ERR_WEBHOOK_PAYLOAD", "endpoint.url_validation has no payload.plainToken");
    }
  }
  return e as ZoomEvent;
}
