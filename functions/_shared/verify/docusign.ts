import { base64ToBytes, utf8Bytes, utf8Text } from "../crypto/encoding.ts";
import { hmacSha256 } from "../crypto/hmac.ts";
import { timingSafeEqual } from "../crypto/timing-safe-equal.ts";
import { WebhookVerificationError } from "./errors.ts";

/** The fields of a DocuSign Connect (JSON SIM) event this library relies on; the rest is kept as-is. */
export interface DocuSignConnectEvent {
  /** `envelope-sent`, `envelope-completed`, `recipient-delivered`, … */
  event: string;
  /** When DocuSign generated the event; the same on every redelivery (unlike `retryCount`). */
  generatedDateTime: string;
  data: {
    envelopeId?: string;
    /** A string in DocuSign's samples ("1"); read with care, as nothing else about it is promised. */
    recipientId?: unknown;
    accountId?: string;
    envelopeSummary?: Record<string, unknown>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface VerifyDocuSignInput {
  /** The raw request body exactly as received. */
  payload: Uint8Array | string;
  /** The request's headers; every `X-DocuSign-Signature-<N>` among them is tried. */
  headers: Headers;
  /** The account's Connect HMAC keys; several while a key is being rotated. */
  secrets: readonly string[];
}

const SIGNATURE_HEADER = /^x-docusign-signature-\d+$/i;
/** base64 of an HMAC-SHA256 is 32 bytes; anything else can never match and is not worth decoding further. */
const MAC_BYTES = 32;

function signaturesIn(headers: Headers): Uint8Array[] {
  const signatures: Uint8Array[] = [];
  headers.forEach((value, name) => {
    if (!SIGNATURE_HEADER.test(name)) return;
    const bytes = base64ToBytes(value.trim());
    // A malformed value is kept as an empty array: it counts as "a signature was sent" but matches nothing.
    signatures.push(bytes && bytes.length === MAC_BYTES ? bytes : new Uint8Array(0));
  });
  return signatures;
}

/**
 * Verifies a DocuSign Connect delivery and returns the parsed event: each `X-DocuSign-Signature-N` header is
 * base64(HMAC-SHA256(key, raw body)), one per active key; any header matching any configured key is enough
 * (key rotation). Compared in constant time with a length guard (our `timingSafeEqual`, never Node's, which
 * throws on unequal lengths).
 *
 * There is no timestamp check, on purpose: Connect sends no timestamp header and signs only the body, so
 * there is nothing to hold a ±300 s window against. `generatedDateTime` in the body cannot serve either:
 * DocuSign redelivers a failed event with its original `generatedDateTime` for hours or days. Replays are
 * instead made harmless by storing each event once (envelopeId + event + generatedDateTime + recipientId).
 * @example
 * const event = await verifyDocuSign({ payload: rawBody, headers: req.headers, secrets: credentials.hmacKeys });
 */
export async function verifyDocuSign(input: VerifyDocuSignInput): Promise<DocuSignConnectEvent> {
  const signatures = signaturesIn(input.headers);
  if (signatures.length === 0) {
    throw new WebhookVerificationError("ERR_WEBHOOK_MISSING_HEADER", "missing X-DocuSign-Signature-N header");
  }
  const body = typeof input.payload === "string" ? utf8Bytes(input.payload) : input.payload;
  let matched = false;
  for (const secret of input.secrets) {
    // A blank key matches nothing (and HMAC with an empty key would "verify" anyone who guessed that).
    if (!secret.trim()) continue;
    const expected = hmacSha256(secret, body);
    // Every header is compared (no early exit among them) so timing does not tell which one matched.
    for (const signature of signatures) matched = timingSafeEqual(expected, signature) || matched;
    if (matched) break;
  }
  if (!matched) throw new WebhookVerificationError("ERR_WEBHOOK_SIGNATURE", "no X-DocuSign-Signature-N matches a configured HMAC key");

  return parseConnectEvent(body);
}

function parseConnectEvent(body: Uint8Array): DocuSignConnectEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Text(body));
  } catch (cause) {
    throw new WebhookVerificationError("ERR_WEBHOOK_PAYLOAD", "signed body is not valid JSON (Connect must use the JSON SIM format)", { cause });
  }
  const e = parsed as Partial<DocuSignConnectEvent> | null;
  if (
    !e || typeof e !== "object" || Array.isArray(e) || typeof e.event !== "string" || !e.event ||
    typeof e.generatedDateTime !== "string" || !e.generatedDateTime ||
    typeof e.data !== "object" || e.data === null || Array.isArray(e.data) ||
    (e.data.envelopeId !== undefined && typeof e.data.envelopeId !== "string")
  ) {
    throw new WebhookVerificationError("ERR_WEBHOOK_PAYLOAD", "signed body is not a DocuSign Connect event (event, generatedDateTime, data)");
  }
  return e as DocuSignConnectEvent;
}
