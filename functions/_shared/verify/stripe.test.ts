import { createHmac } from "node:crypto";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { paymentIntent, stripe, stripeEvent, WEBHOOK_SECRET } from "../../../tests/support/stripe.ts";
import { WebhookVerificationError, type WebhookVerificationCode } from "./errors.ts";
import { verifyStripe } from "./stripe.ts";

// One clock for both verifiers. Timestamps are relative to the real time, and the SDK's clock is pinned to
// the same second through constructEventAsync's `receivedAt`, so a second ticking mid-test cannot move the
// 300 s boundary for one verifier and not the other.
const NOW = Math.floor(Date.now() / 1000);
const OTHER_SECRET = "whsec_other_0f1e2d3c4b5a69788796a5b4c3d2e1f0";

/** The hex v1 signature Stripe's own SDK computes for `payload` at `timestamp`. */
function sdkSignature(payload: string, timestamp: number, secret = WEBHOOK_SECRET): string {
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
  return /(?:^|,)v1=([0-9a-f]+)/.exec(header)![1]!;
}

function sdkHeader(payload: string, timestamp: number, secret = WEBHOOK_SECRET): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

// The one valid request every case starts from.
const BODY = JSON.stringify(stripeEvent("payment_intent.succeeded", paymentIntent({ amount: 25_000 })));
const VALID_V1 = sdkSignature(BODY, NOW);
const VALID = { payload: BODY, header: sdkHeader(BODY, NOW) as string | null, secret: WEBHOOK_SECRET, now: NOW };

type Outcome = "accept" | WebhookVerificationCode;

interface Row {
  name: string;
  payload: string | Uint8Array;
  header: string | null;
  secret: string;
  now: number;
  /** What our verifier does. */
  ours: Outcome;
  /** What the SDK does, only where it deliberately differs from ours. */
  sdk?: "accept" | "reject";
}

const row = (name: string, ours: Outcome, change: Partial<Omit<Row, "name" | "ours">> = {}): Row => ({ name, ours, ...VALID, ...change });

const UNICODE_BODY = JSON.stringify(
  stripeEvent("checkout.session.completed", { id: "cs_test_1", object: "checkout.session", metadata: { student: "Zoë Ñúñez — 学費 ✓ 🎓" } }),
);
const MALFORMED_JSON = '{"id":"evt_test_malformed","type":"payment_intent.succeeded",';

const rows: Row[] = [
  row("valid", "accept"),
  row("missing header", "ERR_WEBHOOK_MISSING_HEADER", { header: null }),
  row("empty header", "ERR_WEBHOOK_MISSING_HEADER", { header: "" }),
  row("garbage header", "ERR_WEBHOOK_SIGNATURE", { header: "this is not a signature header" }),
  row("only a v0 signature (valid, but v0 does not count)", "ERR_WEBHOOK_SIGNATURE", { header: `t=${NOW},v0=${VALID_V1}` }),
  row("v0 valid, v1 invalid", "ERR_WEBHOOK_SIGNATURE", {
    header: `t=${NOW},v1=${sdkSignature(BODY, NOW, OTHER_SECRET)},v0=${VALID_V1}`,
  }),
  row("several v1 during a secret roll, the valid one first", "accept", {
    header: `t=${NOW},v1=${VALID_V1},v1=${sdkSignature(BODY, NOW, OTHER_SECRET)}`,
  }),
  row("valid v1 listed after an invalid one", "accept", { header: `t=${NOW},v1=${"0".repeat(64)},v1=${VALID_V1}` }),
  row("wrong secret", "ERR_WEBHOOK_SIGNATURE", { secret: OTHER_SECRET }),
  row("blank secret", "ERR_WEBHOOK_SIGNATURE", { secret: "" }),
  row("body with one byte changed", "ERR_WEBHOOK_SIGNATURE", { payload: BODY.replace('"amount":25000', '"amount":95000') }),
  row("body with whitespace added", "ERR_WEBHOOK_SIGNATURE", { payload: `${BODY}\n` }),
  row("body re-serialized with indentation", "ERR_WEBHOOK_SIGNATURE", { payload: JSON.stringify(JSON.parse(BODY), null, 2) }),
  row("timestamp 301 s old", "ERR_WEBHOOK_TIMESTAMP", { header: sdkHeader(BODY, NOW - 301) }),
  row("timestamp 10 days old", "ERR_WEBHOOK_TIMESTAMP", { header: sdkHeader(BODY, NOW - 10 * 86_400) }),
  row("timestamp exactly 300 s old (boundary)", "accept", { header: sdkHeader(BODY, NOW - 300) }),
  row("timestamp exactly 300 s in the future (boundary)", "accept", { header: sdkHeader(BODY, NOW + 300) }),
  // DELIBERATE disagreement: stripe-node only rejects old timestamps; we check ±300 s both ways, so a header
  // stamped far ahead (a clock-skewed or pre-computed replay) is refused too.
  row("timestamp 301 s in the future", "ERR_WEBHOOK_TIMESTAMP", { header: sdkHeader(BODY, NOW + 301), sdk: "accept" }),
  row("t missing", "ERR_WEBHOOK_SIGNATURE", { header: `v1=${VALID_V1}` }),
  row("signature of another timestamp", "ERR_WEBHOOK_SIGNATURE", { header: `t=${NOW},v1=${sdkSignature(BODY, NOW - 1)}` }),
  row("upper-case hex v1", "ERR_WEBHOOK_SIGNATURE", { header: `t=${NOW},v1=${VALID_V1.toUpperCase()}` }),
  row("truncated v1", "ERR_WEBHOOK_SIGNATURE", { header: `t=${NOW},v1=${VALID_V1.slice(0, 32)}` }),
  row("validly signed malformed JSON", "ERR_WEBHOOK_PAYLOAD", { payload: MALFORMED_JSON, header: sdkHeader(MALFORMED_JSON, NOW) }),
  row("unicode body", "accept", { payload: UNICODE_BODY, header: sdkHeader(UNICODE_BODY, NOW) }),
];

async function ourOutcome(r: Row): Promise<Outcome> {
  try {
    await verifyStripe({ payload: r.payload, header: r.header, secrets: [r.secret], nowSeconds: r.now });
    return "accept";
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).code;
  }
}

async function sdkOutcome(r: Row): Promise<"accept" | "reject"> {
  try {
    // The SDK types the header as a string but checks for an absent one at run time, as a handler would pass it.
    const header = r.header as string;
    await stripe.webhooks.constructEventAsync(r.payload, header, r.secret, 300, Stripe.createSubtleCryptoProvider(), r.now * 1000);
    return "accept";
  } catch {
    return "reject";
  }
}

describe("verifyStripe against stripe-node's constructEventAsync", () => {
  it.each(rows)("$name", async (r) => {
    const [ours, sdk] = await Promise.all([ourOutcome(r), sdkOutcome(r)]);
    expect(ours).toBe(r.ours);
    expect(sdk).toBe(r.sdk ?? (r.ours === "accept" ? "accept" : "reject"));
  });

  it("returns the event exactly as the body says", async () => {
    const event = await verifyStripe({ payload: VALID.payload, header: VALID.header, secrets: [VALID.secret], nowSeconds: NOW });
    expect(event).toEqual(JSON.parse(BODY));
  });
});

describe("verifyStripe with several secrets (rotation)", () => {
  const THIRD_SECRET = "whsec_third_aaaabbbbccccddddeeeeffff00001111";
  const verifyWithBoth = (header: string) => verifyStripe({ payload: BODY, header, secrets: [OTHER_SECRET, WEBHOOK_SECRET], nowSeconds: NOW });

  it("accepts a request signed with the new secret", async () => {
    await expect(verifyWithBoth(sdkHeader(BODY, NOW, WEBHOOK_SECRET))).resolves.toMatchObject({ id: JSON.parse(BODY).id });
  });

  it("accepts a request signed with the old secret", async () => {
    await expect(verifyWithBoth(sdkHeader(BODY, NOW, OTHER_SECRET))).resolves.toMatchObject({ id: JSON.parse(BODY).id });
  });

  it("rejects a request signed with neither", async () => {
    await expect(verifyWithBoth(sdkHeader(BODY, NOW, THIRD_SECRET))).rejects.toMatchObject({ code: "ERR_WEBHOOK_SIGNATURE" });
  });

  it("rejects everything when no secret is configured", async () => {
    await expect(verifyStripe({ ...VALID, secrets: [], nowSeconds: NOW })).rejects.toMatchObject({ code: "ERR_WEBHOOK_SIGNATURE" });
  });
});

describe("verifyStripe rejection classes", () => {
  const NOT_AN_EVENT = '{"hello":"world"}';
  const classes: { code: WebhookVerificationCode; header: string | null; payload?: string }[] = [
    { code: "ERR_WEBHOOK_MISSING_HEADER", header: null },
    { code: "ERR_WEBHOOK_SIGNATURE", header: `t=${NOW},v1=${sdkSignature(BODY, NOW, OTHER_SECRET)}` },
    { code: "ERR_WEBHOOK_TIMESTAMP", header: sdkHeader(BODY, NOW - 3600) },
    { code: "ERR_WEBHOOK_PAYLOAD", header: sdkHeader(NOT_AN_EVENT, NOW), payload: NOT_AN_EVENT },
  ];

  it.each(classes)("$code: a WebhookVerificationError whose message never contains the secret", async ({ code, header, payload }) => {
    const error = await verifyStripe({ payload: payload ?? BODY, header, secrets: [WEBHOOK_SECRET], nowSeconds: NOW }).then(
      () => expect.unreachable("verification should have failed"),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toMatchObject({ name: "WebhookVerificationError", code });
    const { message, stack } = error as Error;
    expect(message).not.toContain(WEBHOOK_SECRET);
    expect(stack ?? "").not.toContain(WEBHOOK_SECRET);
    expect(message).not.toContain(VALID_V1);
  });

  it("keeps the JSON parse error as the cause of ERR_WEBHOOK_PAYLOAD", async () => {
    const error = await verifyStripe({ payload: MALFORMED_JSON, header: sdkHeader(MALFORMED_JSON, NOW), secrets: [WEBHOOK_SECRET], nowSeconds: NOW })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_WEBHOOK_PAYLOAD" });
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });
});

describe("verifyStripe on raw bytes", () => {
  // A body that is not valid UTF-8: the signature covers the bytes as sent, so it must be checked over bytes,
  // not over a decoded-and-re-encoded string (which would turn 0xff 0xfe into U+FFFD and change the MAC).
  const encoder = new TextEncoder();
  const event = JSON.parse(BODY) as Record<string, unknown>;
  const [head, tail] = JSON.stringify({ ...event, note: "@" }).split("@") as [string, string];
  const bytes = new Uint8Array([...encoder.encode(head), 0xff, 0xfe, 0xc3, ...encoder.encode(tail)]);
  const hmacHex = (payload: Uint8Array, timestamp: number) =>
    createHmac("sha256", WEBHOOK_SECRET).update(`${timestamp}.`).update(payload).digest("hex");

  it("accepts a Uint8Array body with non-UTF-8 bytes signed over those bytes", async () => {
    const verified = await verifyStripe({ payload: bytes, header: `t=${NOW},v1=${hmacHex(bytes, NOW)}`, secrets: [WEBHOOK_SECRET], nowSeconds: NOW });
    expect(verified.id).toBe(event.id);
    expect(verified.type).toBe(event.type);
  });

  it("rejects the same bytes with one byte changed", async () => {
    const tampered = bytes.slice();
    tampered[head.length] = 0xfd;
    await expect(
      verifyStripe({ payload: tampered, header: `t=${NOW},v1=${hmacHex(bytes, NOW)}`, secrets: [WEBHOOK_SECRET], nowSeconds: NOW }),
    ).rejects.toMatchObject({ code: "ERR_WEBHOOK_SIGNATURE" });
  });
});
