import { concatBytes, hexToBytes, utf8Bytes, utf8Text } from "../crypto/encoding.ts";
import { hmacSha256 } from "../crypto/hmac.ts";
import { timingSafeEqual } from "../crypto/timing-safe-equal.ts";
import { WebhookVerificationError } from "./errors.ts";

/** The fields of a Stripe event this library relies on; the rest is kept as-is. */
export interface StripeEvent {
  id: string;
  type: string;
  created: number;
  livemode?: boolean;
  api_version?: string | null;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  [key: string]: unknown;
}

export interface VerifyStripeInput {
  /** The raw request body exactly as received. */
  payload: Uint8Array | string;
  /** The `Stripe-Signature` header value (`null` when absent). */
  header: string | null | undefined;
  /** One or more endpoint secrets (`whsec_…`); several while a secret is being rolled. */
  secrets: readonly string[];
  /** Current time in seconds (injected for tests). */
  nowSeconds: number;
  /** Allowed clock difference either way, default 300 s. */
  toleranceSeconds?: number;
}

const V1_SIGNATURE = /^[0-9a-f]{64}$/;

function parseHeader(header: string): { timestamp: number; signatures: Uint8Array[] } | undefined {
  let timestamp: number | undefined;
  const signatures: Uint8Array[] = [];
  for (const item of header.split(",")) {
    const eq = item.indexOf("=");
    if (eq < 0) continue;
    const name = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (name === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    // Only v1 counts: v0 is Stripe's test-mode decoy. A malformed v1 can never match, so it is dropped here.
    else if (name === "v1" && V1_SIGNATURE.test(value)) signatures.push(hexToBytes(value)!);
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

/**
 * Verifies a Stripe webhook (HMAC-SHA256 over `${t}.${rawBody}`, any `v1` under any secret) and returns the
 * parsed event. Stricter than stripe-node in one way, on purpose: a timestamp more than the tolerance in the
 * *future* is rejected too (stripe-node only rejects old ones).
 * @example
 * const event = await verifyStripe({ payload: rawBody, header: req.headers.get("stripe-signature"),
 *   secrets: ["whsec_…"], nowSeconds: Math.floor(Date.now() / 1000) });
 */
export async function verifyStripe(input: VerifyStripeInput): Promise<StripeEvent> {
  const { header, secrets, nowSeconds, toleranceSeconds = 300 } = input;
  if (!header) throw new WebhookVerificationError("ERR_WEBHOOK_MISSING_HEADER", "missing Stripe-Signature header");
  const parsed = parseHeader(header);
  if (!parsed) {
    throw new WebhookVerificationError("ERR_WEBHOOK_SIGNATURE", "Stripe-Signature header has no timestamp or no v1 signature");
  }
  if (Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) {
    throw new WebhookVerificationError("ERR_WEBHOOK_TIMESTAMP", "Stripe-Signature timestamp is outside the tolerance");
  }

  const body = typeof input.payload === "string" ? utf8Bytes(input.payload) : input.payload;
  const signedContent = concatBytes(utf8Bytes(`${parsed.timestamp}.`), body);
  let matched = false;
  for (const secret of secrets) {
    // A blank secret matches nothing (as in stripe-node); WebCrypto would throw on a zero-length HMAC key.
    if (!secret.trim()) continue;
    const expected = hmacSha256(secret, signedContent);
    // Every candidate is compared (no early exit) so timing does not tell which one matched.
    for (const signature of parsed.signatures) matched = timingSafeEqual(expected, signature) || matched;
    if (matched) break;
  }
  if (!matched) throw new WebhookVerificationError("ERR_WEBHOOK_SIGNATURE", "no v1 signature matches the endpoint secret");

  return parseStripeEvent(body);
}

function parseStripeEvent(body: Uint8Array): StripeEvent {
  let event: unknown;
  try {
    event = JSON.parse(utf8Text(body));
  } catch (cause) {
    throw new WebhookVerificationError("ERR_WEBHOOK_PAYLOAD", "signed body is not valid JSON", { cause });
  }
  const e = event as Partial<StripeEvent> | null;
  if (
    !e || typeof e !== "object" || typeof e.id !== "string" || typeof e.type !== "string" ||
    typeof e.created !== "number" || typeof e.data?.object !== "object" || e.data.object === null
  ) {
    throw new WebhookVerificationError("ERR_WEBHOOK_PAYLOAD", "signed body is not a Stripe event (id, type, created, data.object)");
  }
  return e as StripeEvent;
}
