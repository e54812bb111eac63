import { describe, expect, it } from "vitest";
import { meetingEvent, urlValidationEvent, zoomSignature } from "../../../tests/support/zoom.ts";
import { WebhookVerificationError, type WebhookVerificationCode } from "./errors.ts";
import { verifyZoom } from "./zoom.ts";

const NOW = 1_790_000_000;
const SECRET = "zm_secret_token_8f14e45fceea167a5a36dedd4bea2543";
const OTHER_SECRET = "zm_other_token_c9f0f895fb98ab9159f51fd0297e236d";

// The one valid request every case starts from; each case changes exactly one thing.
// Non-ASCII on purpose: the signature is over the raw bytes.
const BODY = JSON.stringify(meetingEvent("meeting.started", { id: 85_746_065_432, uuid: "4444AAAiAAAAAiAiAiiAii==", eventTs: NOW * 1000 - 2_000 }));
const VALID = { body: BODY as string | Uint8Array, signature: zoomSignature(BODY, NOW, SECRET) as string | null, timestamp: String(NOW) as string | null, secrets: [SECRET], now: NOW };

function headersOf(signature: string | null, timestamp: string | null): Headers {
  const headers = new Headers();
  if (signature !== null) headers.set("X-Zm-Signature", signature);
  if (timestamp !== null) headers.set("X-Zm-Request-Timestamp", timestamp);
  return headers;
}

async function outcome(change: Partial<typeof VALID> = {}): Promise<"accept" | WebhookVerificationCode> {
  const input = { ...VALID, ...change };
  try {
    await verifyZoom({ payload: input.body, headers: headersOf(input.signature, input.timestamp), secrets: input.secrets, nowSeconds: input.now });
    return "accept";
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.code;
    throw error;
  }
}

/** A correctly signed request with this body (to reach the payload checks). */
const signedBody = (body: string) => ({ body, signature: zoomSignature(body, NOW, SECRET) });

describe("verifyZoom", () => {
  it("accepts a valid request and returns the parsed event", async () => {
    const event = await verifyZoom({ payload: BODY, headers: headersOf(VALID.signature, VALID.timestamp), secrets: [SECRET], nowSeconds: NOW });
    expect(event).toEqual(JSON.parse(BODY));
  });

  it("accepts the body as bytes, and non-ASCII text signed as UTF-8", async () => {
    expect(await outcome({ body: new TextEncoder().encode(BODY) })).toBe("accept");
    expect(BODY).toContain("Zoë");
  });

  it.each([
    ["no x-zm-signature", { signature: null }, "ERR_WEBHOOK_MISSING_HEADER"],
    ["empty x-zm-signature", { signature: "" }, "ERR_WEBHOOK_MISSING_HEADER"],
    ["no x-zm-request-timestamp", { timestamp: null }, "ERR_WEBHOOK_MISSING_HEADER"],
    ["timestamp not a number", { timestamp: "yesterday" }, "ERR_WEBHOOK_TIMESTAMP"],
    ["timestamp in milliseconds (event_ts units)", { timestamp: String(NOW * 1000), signature: zoomSignature(BODY, NOW * 1000, SECRET) }, "ERR_WEBHOOK_TIMESTAMP"],
    ["timestamp 301 s old", { timestamp: String(NOW - 301), signature: zoomSignature(BODY, NOW - 301, SECRET) }, "ERR_WEBHOOK_TIMESTAMP"],
    ["timestamp 301 s ahead", { timestamp: String(NOW + 301), signature: zoomSignature(BODY, NOW + 301, SECRET) }, "ERR_WEBHOOK_TIMESTAMP"],
    ["signature made for another timestamp", { timestamp: String(NOW - 1) }, "ERR_WEBHOOK_SIGNATURE"],
    ["signature without the v0= prefix", { signature: zoomSignature(BODY, NOW, SECRET).slice(3) }, "ERR_WEBHOOK_SIGNATURE"],
    ["v1= instead of v0=", { signature: `v1=${zoomSignature(BODY, NOW, SECRET).slice(3)}` }, "ERR_WEBHOOK_SIGNATURE"],
    ["truncated hex", { signature: zoomSignature(BODY, NOW, SECRET).slice(0, -1) }, "ERR_WEBHOOK_SIGNATURE"],
    ["not hex", { signature: `v0=${"z".repeat(64)}` }, "ERR_WEBHOOK_SIGNATURE"],
    ["all zeros", { signature: `v0=${"0".repeat(64)}` }, "ERR_WEBHOOK_SIGNATURE"],
    ["wrong secret token", { signature: zoomSignature(BODY, NOW, OTHER_SECRET) }, "ERR_WEBHOOK_SIGNATURE"],
    ["body changed after signing", { body: BODY.replace("Algebra", "Geometry") }, "ERR_WEBHOOK_SIGNATURE"],
    ["body re-serialized (whitespace only)", { body: JSON.stringify(JSON.parse(BODY), null, 2) }, "ERR_WEBHOOK_SIGNATURE"],
    ["no secret configured", { secrets: [] }, "ERR_WEBHOOK_SIGNATURE"],
    ["blank secret", { secrets: ["  "], signature: zoomSignature(BODY, NOW, "  ") }, "ERR_WEBHOOK_SIGNATURE"],
  ] as const)("rejects %s", async (_name, change, code) => {
    expect(await outcome(change as Partial<typeof VALID>)).toBe(code);
  });

  it("accepts timestamps exactly 300 s away either way", async () => {
    for (const t of [NOW - 300, NOW + 300]) {
      expect(await outcome({ timestamp: String(t), signature: zoomSignature(BODY, t, SECRET) })).toBe("accept");
    }
  });

  it("accepts an upper-case hex signature and any one matching secret token among several", async () => {
    expect(await outcome({ signature: `v0=${zoomSignature(BODY, NOW, SECRET).slice(3).toUpperCase()}` })).toBe("accept");
    expect(await outcome({ secrets: [OTHER_SECRET, SECRET] })).toBe("accept");
  });

  it.each([
    ["not JSON", '{"event":"meeting.started",'],
    ["JSON null", "null"],
    ["a JSON array", "[]"],
    ["no event", JSON.stringify({ event_ts: NOW * 1000, payload: {} })],
    ["an empty event name", JSON.stringify({ event: "", event_ts: NOW * 1000 })],
    ["event_ts as a string", JSON.stringify({ event: "meeting.started", event_ts: "1790000000000", payload: {} })],
    ["a payload that is not an object", JSON.stringify({ event: "meeting.started", event_ts: NOW * 1000, payload: [1] })],
    ["url_validation without plainToken", JSON.stringify({ event: "endpoint.url_validation", event_ts: NOW * 1000, payload: {} })],
    ["url_validation with a numeric plainToken", JSON.stringify({ event: "endpoint.url_validation", event_ts: NOW * 1000, payload: { plainToken: 42 } })],
  ])("answers ERR_WEBHOOK_PAYLOAD (a 400, not a 401) to a correctly signed body that is %s", async (_name, body) => {
    expect(await outcome(signedBody(body))).toBe("ERR_WEBHOOK_PAYLOAD");
  });

  it("verifies endpoint.url_validation like any event", async () => {
    const body = JSON.stringify(urlValidationEvent("qgg8vlvZRS6UYooatFL8Aw", NOW * 1000));
    expect(await outcome(signedBody(body))).toBe("accept");
    expect(await outcome({ body, signature: zoomSignature(body, NOW, OTHER_SECRET) })).toBe("ERR_WEBHOOK_SIGNATURE");
  });
});
