// One valid signed request per provider, made the way the provider signs (the Stripe SDK, Node's crypto per
// the documented scheme — never the code under test), and how to break its signature in ways that must be
// noticed. The fuzz suites mutate these.
import { createHmac, generateKeyPairSync, sign } from "node:crypto";
import { verifyDocuSign } from "../../functions/_shared/verify/docusign.ts";
import { verifySendGrid } from "../../functions/_shared/verify/sendgrid.ts";
import { verifyStripe } from "../../functions/_shared/verify/stripe.ts";
import { verifyZoom } from "../../functions/_shared/verify/zoom.ts";
import { stripeSignature } from "../support/stripe.ts";

export const NOW = Math.floor(Date.now() / 1000);

export interface SignedRequest {
  body: Uint8Array;
  headers: Headers;
}

export interface Scheme {
  name: "stripe" | "docusign" | "zoom" | "sendgrid";
  /** Every header the verifier reads (random values go here). */
  headerNames: readonly string[];
  /** The credentials a tenant saves for it (for the handler suite). */
  credentials: Record<string, unknown>;
  /** A valid signed request; `eventType` replaces its event's type (default: one the provider sends). */
  valid(eventType?: string): SignedRequest;
  verify(request: SignedRequest): Promise<unknown>;
  /** The same request with its signature value changed in one place (still well-formed where possible). */
  corruptSignature(request: SignedRequest, position: number): SignedRequest;
  /** The same request signed at another time, signature kept: only for schemes that sign a timestamp. */
  shiftTimestamp?(request: SignedRequest, seconds: number): SignedRequest;
}

const encoder = new TextEncoder();
const withHeader = (request: SignedRequest, name: string, value: string): SignedRequest => {
  const headers = new Headers(request.headers);
  headers.set(name, value);
  return { body: request.body, headers };
};
/** A different lower-case hex digit at `position` of `hex`. */
const changeHexDigit = (hex: string, position: number) => {
  const i = position % hex.length;
  const next = ((parseInt(hex[i]!, 16) + 1 + (position % 15)) % 16).toString(16);
  return hex.slice(0, i) + next + hex.slice(i + 1);
};
/** The bytes behind a base64 value with one bit flipped. */
const flipBase64Bit = (value: string, position: number) => {
  const bytes = Buffer.from(value, "base64");
  bytes[position % bytes.length]! ^= 1 << (position % 8);
  return bytes.toString("base64");
};

const eventBody = (event: Record<string, unknown>) => encoder.encode(JSON.stringify(event));

const STRIPE_SECRET = "whsec_fuzz_4f1d2c3b4a5968778695a4b3c2d1e0f1";
const stripe: Scheme = {
  name: "stripe",
  headerNames: ["stripe-signature"],
  credentials: { webhookSecret: STRIPE_SECRET },
  valid(eventType = "payment_intent.created") {
    const body = JSON.stringify({ id: `evt_fuzz_${crypto.randomUUID()}`, object: "event", type: eventType, created: NOW, data: { object: { id: "pi_fuzz", object: "payment_intent" } } });
    return { body: encoder.encode(body), headers: new Headers({ "stripe-signature": stripeSignature(body, { secret: STRIPE_SECRET, timestamp: NOW }) }) };
  },
  verify: (r) => verifyStripe({ payload: r.body, header: r.headers.get("stripe-signature"), secrets: [STRIPE_SECRET], nowSeconds: NOW }),
  corruptSignature(r, position) {
    const header = r.headers.get("stripe-signature")!;
    return withHeader(r, "stripe-signature", header.replace(/v1=([0-9a-f]{64})/, (_, hex: string) => `v1=${changeHexDigit(hex, position)}`));
  },
  shiftTimestamp: (r, seconds) => withHeader(r, "stripe-signature", r.headers.get("stripe-signature")!.replace(/t=(\d+)/, (_, t: string) => `t=${Number(t) + seconds}`)),
};

const DOCUSIGN_KEY = Buffer.from("docusign-fuzz-connect-key-0123456789").toString("base64");
const docusign: Scheme = {
  name: "docusign",
  headerNames: ["x-docusign-signature-1", "x-docusign-signature-2"],
  credentials: { hmacKeys: [DOCUSIGN_KEY], integrationKey: "ik", userId: "u", rsaPrivateKey: "-----BEGIN RSA PRIVATE KEY-----\nMA==\n-----END RSA PRIVATE KEY-----" },
  valid(eventType = "envelope-sent") {
    const body = eventBody({ event: eventType, apiVersion: "v2.1", retryCount: 0, configurationId: 1, generatedDateTime: new Date(NOW * 1000).toISOString(), data: { accountId: "a", envelopeId: crypto.randomUUID() } });
    return { body, headers: new Headers({ "x-docusign-signature-1": createHmac("sha256", DOCUSIGN_KEY).update(body).digest("base64") }) };
  },
  verify: (r) => verifyDocuSign({ payload: r.body, headers: r.headers, secrets: [DOCUSIGN_KEY] }),
  corruptSignature: (r, position) => withHeader(r, "x-docusign-signature-1", flipBase64Bit(r.headers.get("x-docusign-signature-1")!, position)),
};

const ZOOM_SECRET = "zoom-fuzz-secret-token-abcdef0123";
const zoom: Scheme = {
  name: "zoom",
  headerNames: ["x-zm-signature", "x-zm-request-timestamp"],
  credentials: { webhookSecretToken: ZOOM_SECRET },
  valid(eventType = "meeting.started") {
    const body = eventBody({ event: eventType, event_ts: NOW * 1000, payload: { account_id: "a", object: { id: 81234567890, uuid: crypto.randomUUID(), topic: "Fuzz" } } });
    const mac = createHmac("sha256", ZOOM_SECRET).update(`v0:${NOW}:`).update(body).digest("hex");
    return { body, headers: new Headers({ "x-zm-signature": `v0=${mac}`, "x-zm-request-timestamp": String(NOW) }) };
  },
  verify: (r) => verifyZoom({ payload: r.body, headers: r.headers, secrets: [ZOOM_SECRET], nowSeconds: NOW }),
  corruptSignature: (r, position) => withHeader(r, "x-zm-signature", `v0=${changeHexDigit(r.headers.get("x-zm-signature")!.slice(3), position)}`),
  shiftTimestamp: (r, seconds) => withHeader(r, "x-zm-request-timestamp", String(NOW + seconds)),
};

const SENDGRID_KEYS = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const SENDGRID_PUBLIC = SENDGRID_KEYS.publicKey.export({ type: "spki", format: "der" }).toString("base64");
const sendgrid: Scheme = {
  name: "sendgrid",
  headerNames: ["x-twilio-email-event-webhook-signature", "x-twilio-email-event-webhook-timestamp"],
  credentials: { eventWebhookPublicKey: SENDGRID_PUBLIC },
  valid(eventType = "delivered") {
    const body = encoder.encode(`${JSON.stringify([{ email: "a@example.com", event: eventType, sg_event_id: crypto.randomUUID(), sg_message_id: "m", timestamp: NOW }])}\r\n`);
    const signature = sign("sha256", Buffer.concat([Buffer.from(String(NOW)), body]), { key: SENDGRID_KEYS.privateKey, dsaEncoding: "der" }).toString("base64");
    return { body, headers: new Headers({ "x-twilio-email-event-webhook-signature": signature, "x-twilio-email-event-webhook-timestamp": String(NOW) }) };
  },
  verify: (r) => verifySendGrid({
    payload: r.body, signature: r.headers.get("x-twilio-email-event-webhook-signature"),
    timestamp: r.headers.get("x-twilio-email-event-webhook-timestamp"), publicKeys: [SENDGRID_PUBLIC], nowSeconds: NOW,
  }),
  corruptSignature: (r, position) =>
    withHeader(r, "x-twilio-email-event-webhook-signature", flipBase64Bit(r.headers.get("x-twilio-email-event-webhook-signature")!, position)),
  shiftTimestamp: (r, seconds) => withHeader(r, "x-twilio-email-event-webhook-timestamp", String(NOW + seconds)),
};

export const SCHEMES: readonly Scheme[] = [stripe, docusign, zoom, sendgrid];

/** How many cases each property runs: 10,000 in CI, fewer locally unless FUZZ_RUNS says otherwise. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.CI ? 10_000 : 1_000));
