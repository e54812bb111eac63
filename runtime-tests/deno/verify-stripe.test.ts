// The core cases of functions/_shared/verify/stripe.test.ts, on Deno: one valid request, each case breaks one
// thing. Signatures come from WebCrypto here (the vitest suite uses Stripe's SDK); the known-answer case pins
// both to the same bytes.
import assert from "node:assert/strict";
import { WebhookVerificationError, type WebhookVerificationCode } from "../../functions/_shared/verify/errors.ts";
import { verifyStripe } from "../../functions/_shared/verify/stripe.ts";
import { paymentIntent, stripeEvent, stripeSignature, stripeV1 } from "./support.ts";

const SECRET = "whsec_test_5b2f8c0a1d9e4f7a8b6c3d2e1f0a9b8c";
const OTHER_SECRET = "whsec_other_0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const NOW = 1_790_000_000;
const BODY = JSON.stringify(stripeEvent("payment_intent.succeeded", paymentIntent(25_000)));
const V1 = await stripeV1(BODY, NOW, SECRET);

type Outcome = "accept" | WebhookVerificationCode;

async function outcome(input: { payload: string | Uint8Array; header: string | null; secrets: string[]; now: number }): Promise<Outcome> {
  try {
    await verifyStripe({ payload: input.payload, header: input.header, secrets: input.secrets, nowSeconds: input.now });
    return "accept";
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.code;
    throw error;
  }
}

const valid = { payload: BODY as string | Uint8Array, header: `t=${NOW},v1=${V1}` as string | null, secrets: [SECRET], now: NOW };

const cases: [name: string, expected: Outcome, change: Partial<typeof valid>][] = [
  ["valid", "accept", {}],
  ["the body as bytes", "accept", { payload: new TextEncoder().encode(BODY) }],
  ["missing header", "ERR_WEBHOOK_MISSING_HEADER", { header: null }],
  ["empty header", "ERR_WEBHOOK_MISSING_HEADER", { header: "" }],
  ["garbage header", "ERR_WEBHOOK_SIGNATURE", { header: "this is not a signature header" }],
  ["only a v0 signature", "ERR_WEBHOOK_SIGNATURE", { header: `t=${NOW},v0=${V1}` }],
  ["signed with another secret", "ERR_WEBHOOK_SIGNATURE", { secrets: [OTHER_SECRET] }],
  ["a second secret during a roll", "accept", { secrets: [OTHER_SECRET, SECRET] }],
  ["a blank secret", "ERR_WEBHOOK_SIGNATURE", { secrets: ["  "] }],
  ["body changed after signing", "ERR_WEBHOOK_SIGNATURE", { payload: BODY.replace("25000", "25001") }],
  ["body re-serialized (whitespace)", "ERR_WEBHOOK_SIGNATURE", { payload: JSON.stringify(JSON.parse(BODY), null, 1) }],
  ["timestamp 300 s old", "accept", { now: NOW + 300 }],
  ["timestamp 301 s old", "ERR_WEBHOOK_TIMESTAMP", { now: NOW + 301 }],
  ["timestamp 301 s in the future", "ERR_WEBHOOK_TIMESTAMP", { now: NOW - 301 }],
];

for (const [name, expected, change] of cases) {
  Deno.test(`verifyStripe: ${name} → ${expected}`, async () => {
    assert.equal(await outcome({ ...valid, ...change }), expected);
  });
}

Deno.test("verifyStripe: several v1 signatures, one valid → accept", async () => {
  const header = `t=${NOW},v1=${await stripeV1(BODY, NOW, OTHER_SECRET)},v1=${V1}`;
  assert.equal(await outcome({ ...valid, header }), "accept");
});

Deno.test("verifyStripe: a validly signed body that is not JSON → ERR_WEBHOOK_PAYLOAD", async () => {
  const payload = '{"id":"evt_deno_malformed","type":"payment_intent.succeeded",';
  assert.equal(await outcome({ ...valid, payload, header: await stripeSignature(payload, NOW, SECRET) }), "ERR_WEBHOOK_PAYLOAD");
});

Deno.test("verifyStripe: returns the parsed event, non-ASCII text intact", async () => {
  const event = await verifyStripe({ payload: BODY, header: valid.header, secrets: [SECRET], nowSeconds: NOW });
  assert.deepEqual(event, JSON.parse(BODY));
});

Deno.test("WebCrypto signing matches Stripe's SDK (known answer from stripe-node's generateTestHeaderString)", async () => {
  const payload = JSON.stringify({
    id: "evt_kat_1", object: "event", type: "payment_intent.succeeded", created: 1790000000,
    data: { object: { id: "pi_kat_1", object: "payment_intent", description: "Zoë 学費 🎓" } },
  });
  const header = "t=1790000000,v1=ad86adc17e344563dd3d4360afbe013b8eb918ac444da0f7a20f406f36b7f13f";
  assert.equal(await stripeSignature(payload, 1790000000, "whsec_known_answer_0123456789abcdef"), header);
  assert.equal(await outcome({ payload, header, secrets: ["whsec_known_answer_0123456789abcdef"], now: 1790000000 }), "accept");
});
