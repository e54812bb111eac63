import { base64ToBytes, concatBytes, utf8Bytes, utf8Text } from "../crypto/encoding.ts";
import { derToRawEcdsaSignature } from "../crypto/ecdsa-der-signature.ts";
import { WebhookVerificationError } from "./errors.ts";

/** The fields of a SendGrid event this library relies on; the rest (and our custom_args) is kept as-is. */
export interface SendGridEvent {
  sg_event_id: string;
  event: string;
  email?: string;
  timestamp?: number;
  sg_message_id?: string;
  [key: string]: unknown;
}

export interface VerifySendGridInput {
  /** The raw request body exactly as received (a JSON array; its trailing CRLF is part of what is signed). */
  payload: Uint8Array | string;
  /** `X-Twilio-Email-Event-Webhook-Signature`: base64 of a DER-encoded ECDSA signature. */
  signature: string | null | undefined;
  /** `X-Twilio-Email-Event-Webhook-Timestamp`: unix seconds. */
  timestamp: string | null | undefined;
  /** The Event Webhook's verification keys (base64 SPKI DER, as SendGrid shows them); several while rotating. */
  publicKeys: readonly string[];
  /** Current time in seconds (injected for tests). */
  nowSeconds: number;
  /** Allowed clock difference either way, default 300 s. */
  toleranceSeconds?: number;
}

const P256_COORDINATE_BYTES = 32;
const MAX_CACHED_KEYS = 100;
// Importing a key costs more than verifying with it; a tenant's key rarely changes.
const importedKeys = new Map<string, Promise<CryptoKey | undefined>>();

function importPublicKey(publicKey: string): Promise<CryptoKey | undefined> {
  const compact = publicKey.replace(/\s+/g, "");
  let key = importedKeys.get(compact);
  if (!key) {
    const spki = base64ToBytes(compact);
    key = spki
      ? crypto.subtle.importKey("spki", spki as BufferSource, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"])
        .catch(() => undefined) // not a P-256 public key: it verifies nothing
      : Promise.resolve(undefined);
    if (importedKeys.size >= MAX_CACHED_KEYS) importedKeys.delete(importedKeys.keys().next().value!);
    importedKeys.set(compact, key);
  }
  return key;
}

/**
 * Verifies a SendGrid Event Webhook request — ECDSA P-256 with SHA-256 over `timestamp + rawBody`, checked
 * with WebCrypto after converting SendGrid's DER signature to raw r‖s — and returns its events. Like
 * sendgrid-nodejs' `EventWebhook.verifySignature`, plus a ±300 s window on the timestamp (both ways), which
 * the SDK leaves to the caller.
 * @example
 * const events = await verifySendGrid({ payload: rawBody,
 *   signature: headers.get("x-twilio-email-event-webhook-signature"),
 *   timestamp: headers.get("x-twilio-email-event-webhook-timestamp"),
 *   publicKeys: [eventWebhookPublicKey], nowSeconds: Math.floor(Date.now() / 1000) });
 */
export async function verifySendGrid(input: VerifySendGridInput): Promise<SendGridEvent[]> {
  const { signature, timestamp, publicKeys, nowSeconds, toleranceSeconds = 300 } = input;
  if (!signature) throw new WebhookVerificationError("ERR_WEBHOOK_MISSING_HEADER", "missing X-Twilio-Email-Event-Webhook-Signature header");
  if (!timestamp) throw new WebhookVerificationError("ERR_WEBHOOK_MISSING_HEADER", "missing X-Twilio-Email-Event-Webhook-Timestamp header");
  if (!/^\d{1,12}$/.test(timestamp.trim())) {
    throw new WebhookVerificationError("ERR_WEBHOOK_TIMESTAMP", "X-Twilio-Email-Event-Webhook-Timestamp is not unix seconds");
  }
  if (Math.abs(nowSeconds - Number(timestamp.trim())) > toleranceSeconds) {
    throw new WebhookVerificationError("ERR_WEBHOOK_TIMESTAMP", "X-Twilio-Email-Event-Webhook-Timestamp is outside the tolerance");
  }

  const der = base64ToBytes(signature.trim());
  const raw = der && derToRawEcdsaSignature(der, P256_COORDINATE_BYTES);
  if (!raw) throw new WebhookVerificationError("ERR_WEBHOOK_SIGNATURE", "X-Twilio-Email-Event-Webhook-Signature is not a DER ECDSA signature");

  const body = typeof input.payload === "string" ? utf8Bytes(input.payload) : input.payload;
  // The header's own text is signed, exactly as sent.
  const signed = concatBytes(utf8Bytes(timestamp), body);
  let matched = false;
  for (const publicKey of publicKeys) {
    const key = await importPublicKey(publicKey);
    if (!key) continue;
    matched = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, raw as BufferSource, signed as BufferSource);
    if (matched) break;
  }
  if (!matched) throw new WebhookVerificationError("ERR_WEBHOOK_SIGNATURE", "the signature does not match the Event Webhook's verification key");

  return parseSendGridEvents(body);
}

function parseSendGridEvents(body: Uint8Array): SendGridEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Text(body));
  } catch (cause) {
    throw new WebhookVerificationError("ERR_WEBHOOK_PAYLOAD", "signed body is not valid JSON", { cause });
  }
  if (!Array.isArray(parsed)) throw new WebhookVerificationError("ERR_WEBHOOK_PAYLOAD", "signed body is not a JSON array of events");
  parsed.forEach((element, i) => {
    const e = element as Partial<SendGridEvent> | null;
    if (!e || typeof e !== "object" || Array.isArray(e) || typeof e.sg_event_id !== "string" || !e.sg_event_id || typeof e.event !== "string") {
      throw new WebhookVerificationError("ERR_WEBHOOK_PAYLOAD", `event ${i} is not a SendGrid event (sg_event_id, event)`);
    }
  });
  return parsed as SendGridEvent[];
}
