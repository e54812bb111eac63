import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sendgridEvent, sendgridSignature, sendgridSigningKey } from "../../../tests/support/sendgrid.ts";
import { WebhookVerificationError, type WebhookVerificationCode } from "./errors.ts";
import { verifySendGrid, type VerifySendGridInput } from "./sendgrid.ts";

// SendGrid's published test vector (sendgrid-nodejs packages/eventwebhook, eventwebhook.spec.js; PROVIDERS.md).
const VECTOR = {
  publicKey: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==",
  signature: "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=",
  timestamp: "1600112502",
  payload: '[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA","sg_message_id":"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>","timestamp":1600112492}]\r\n',
};

const NOW = 1_790_000_000;
const key = sendgridSigningKey();
const otherKey = sendgridSigningKey();
const BODY = `${JSON.stringify([sendgridEvent("delivered", { timestamp: NOW - 5 }), sendgridEvent("open", { timestamp: NOW - 1 })])}\r\n`;

/** The one valid request every case starts from. */
const valid = (): VerifySendGridInput => ({
  payload: BODY, signature: sendgridSignature(BODY, NOW, key.privateKey), timestamp: String(NOW), publicKeys: [key.publicKey], nowSeconds: NOW,
});

async function codeOf(input: VerifySendGridInput): Promise<WebhookVerificationCode | "accepted"> {
  try {
    await verifySendGrid(input);
    return "accepted";
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.code;
    throw error; // Any other kind of error fails the test.
  }
}

describe("verifySendGrid", () => {
  it("accepts SendGrid's published test vector (the trailing CRLF is signed)", async () => {
    const events = await verifySendGrid({
      payload: VECTOR.payload, signature: VECTOR.signature, timestamp: VECTOR.timestamp,
      publicKeys: [VECTOR.publicKey], nowSeconds: Number(VECTOR.timestamp),
    });
    expect(events).toEqual([expect.objectContaining({ event: "dropped", sg_event_id: "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA" })]);
  });

  it("refuses the test vector without its trailing CRLF, or with a re-serialized body", async () => {
    const base = { signature: VECTOR.signature, timestamp: VECTOR.timestamp, publicKeys: [VECTOR.publicKey], nowSeconds: Number(VECTOR.timestamp) };
    expect(await codeOf({ ...base, payload: VECTOR.payload.trimEnd() })).toBe("ERR_WEBHOOK_SIGNATURE");
    expect(await codeOf({ ...base, payload: JSON.stringify(JSON.parse(VECTOR.payload)) })).toBe("ERR_WEBHOOK_SIGNATURE");
  });

  it("accepts a request Node's crypto signed, as bytes or text, and returns every event", async () => {
    const events = await verifySendGrid(valid());
    expect(events.map((e) => e.event)).toEqual(["delivered", "open"]);
    expect(await codeOf({ ...valid(), payload: new TextEncoder().encode(BODY) })).toBe("accepted");
  });

  it("accepts any of several keys (rotation), and ignores a configured key that is not a P-256 key", async () => {
    const p384 = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).publicKey.export({ type: "spki", format: "der" }).toString("base64");
    expect(await codeOf({ ...valid(), publicKeys: ["not base64 !", p384, otherKey.publicKey, key.publicKey] })).toBe("accepted");
    // SendGrid shows the key wrapped over lines sometimes; whitespace inside it is ignored.
    expect(await codeOf({ ...valid(), publicKeys: [`${key.publicKey.slice(0, 40)}\n${key.publicKey.slice(40)}\n`] })).toBe("accepted");
  });

  it.each<[string, Partial<VerifySendGridInput>, WebhookVerificationCode]>([
    ["no signature header", { signature: null }, "ERR_WEBHOOK_MISSING_HEADER"],
    ["an empty signature header", { signature: "" }, "ERR_WEBHOOK_MISSING_HEADER"],
    ["no timestamp header", { timestamp: null }, "ERR_WEBHOOK_MISSING_HEADER"],
    ["a timestamp that is not unix seconds", { timestamp: "2026-11-26T10:00:00Z" }, "ERR_WEBHOOK_TIMESTAMP"],
    ["a timestamp 301 s old", { timestamp: String(NOW - 301) }, "ERR_WEBHOOK_TIMESTAMP"],
    ["a timestamp 301 s ahead", { timestamp: String(NOW + 301) }, "ERR_WEBHOOK_TIMESTAMP"],
    ["a signature that is not base64", { signature: "%%%not-base64%%%" }, "ERR_WEBHOOK_SIGNATURE"],
    ["a signature that is not DER", { signature: Buffer.from("hello world").toString("base64") }, "ERR_WEBHOOK_SIGNATURE"],
    ["a raw r‖s signature instead of DER", { signature: Buffer.alloc(64, 7).toString("base64") }, "ERR_WEBHOOK_SIGNATURE"],
    ["another key's signature", { signature: sendgridSignature(BODY, NOW, otherKey.privateKey) }, "ERR_WEBHOOK_SIGNATURE"],
    ["only the other key configured", { publicKeys: [otherKey.publicKey] }, "ERR_WEBHOOK_SIGNATURE"],
    ["no key configured", { publicKeys: [] }, "ERR_WEBHOOK_SIGNATURE"],
    ["a garbage key configured", { publicKeys: ["bm90IGEga2V5"] }, "ERR_WEBHOOK_SIGNATURE"],
    ["the body alone signed (no timestamp)", { signature: sendgridSignature(BODY, "", key.privateKey) }, "ERR_WEBHOOK_SIGNATURE"],
    ["a signature for another timestamp", { timestamp: String(NOW - 1) }, "ERR_WEBHOOK_SIGNATURE"],
    ["a body changed by one byte", { payload: BODY.replace("delivered", "Delivered") }, "ERR_WEBHOOK_SIGNATURE"],
  ])("refuses %s", async (_, change, code) => {
    expect(await codeOf({ ...valid(), ...change })).toBe(code);
  });

  it("accepts the ±300 s boundary exactly", async () => {
    for (const timestamp of [NOW - 300, NOW + 300]) {
      expect(await codeOf({ ...valid(), timestamp: String(timestamp), signature: sendgridSignature(BODY, timestamp, key.privateKey) })).toBe("accepted");
    }
  });

  it("never throws anything but a WebhookVerificationError for mangled signatures", async () => {
    const good = Buffer.from(sendgridSignature(BODY, NOW, key.privateKey), "base64");
    for (let i = 0; i < 300; i++) {
      const mangled = Buffer.from(good);
      const at = Math.floor(Math.random() * mangled.length);
      mangled[at] = mangled[at]! ^ (1 << Math.floor(Math.random() * 8));
      const truncated = mangled.subarray(0, 1 + Math.floor(Math.random() * (mangled.length - 1)));
      for (const signature of [mangled, truncated]) {
        expect(await codeOf({ ...valid(), signature: signature.toString("base64") })).toBe("ERR_WEBHOOK_SIGNATURE");
      }
    }
  });

  const signedBody = (body: string) => ({ ...valid(), payload: body, signature: sendgridSignature(body, NOW, key.privateKey) });
  it.each([
    ["not JSON", "[{"],
    ["a JSON object instead of an array", JSON.stringify(sendgridEvent("delivered"))],
    ["an element without sg_event_id", JSON.stringify([{ event: "delivered", email: "a@example.com" }])],
    ["an element with an empty sg_event_id", JSON.stringify([{ event: "delivered", sg_event_id: "" }])],
    ["an element without event", JSON.stringify([{ sg_event_id: "abc" }])],
    ["an element that is not an object", JSON.stringify([sendgridEvent("delivered"), "delivered"])],
  ])("refuses a signed body that is %s as ERR_WEBHOOK_PAYLOAD", async (_, body) => {
    expect(await codeOf(signedBody(body))).toBe("ERR_WEBHOOK_PAYLOAD");
  });

  it("accepts a signed empty batch", async () => {
    expect(await verifySendGrid(signedBody("[]"))).toEqual([]);
  });
});
