import { describe, expect, it } from "vitest";
import { connectEvent, connectHmacKey, connectSignature } from "../../../tests/support/docusign.ts";
import { verifyDocuSign } from "./docusign.ts";
import { WebhookVerificationError } from "./errors.ts";

// One valid delivery signed the way DocuSign documents it (Node's createHmac, base64), then each test breaks
// exactly one thing. Text outside ASCII makes the exact bytes matter.
const KEY = connectHmacKey();
const OLD_KEY = connectHmacKey();
const BODY = JSON.stringify({ ...connectEvent("envelope-completed", { envelopeId: "6d1c5b4a-0000-4000-8000-00000000000a" }), note: "Zoë’s contract ✓" });

const headersWith = (entries: Record<string, string>) => new Headers({ "content-type": "application/json", ...entries });

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return (error as WebhookVerificationError).code;
}

describe("verifyDocuSign", () => {
  it("accepts a body signed with the configured key and returns the parsed event", async () => {
    const event = await verifyDocuSign({ payload: BODY, headers: headersWith({ "X-DocuSign-Signature-1": connectSignature(BODY, KEY) }), secrets: [KEY] });

    expect(event.event).toBe("envelope-completed");
    expect(event.data.envelopeId).toBe("6d1c5b4a-0000-4000-8000-00000000000a");
    expect(event.note).toBe("Zoë’s contract ✓");
  });

  it("verifies the raw bytes as received (Uint8Array), not a re-serialisation", async () => {
    const spaced = `{ "event" : "envelope-sent", "generatedDateTime":"2025-05-30T18:03:50.4233752Z", "data": {"envelopeId":"e1"} }`;
    const bytes = new TextEncoder().encode(spaced);

    const event = await verifyDocuSign({ payload: bytes, headers: headersWith({ "x-docusign-signature-1": connectSignature(bytes, KEY) }), secrets: [KEY] });

    expect(event.event).toBe("envelope-sent");
  });

  it("reads the signature headers case-insensitively", async () => {
    const event = await verifyDocuSign({ payload: BODY, headers: headersWith({ "x-DOCUSIGN-signature-1": connectSignature(BODY, KEY) }), secrets: [KEY] });
    expect(event.event).toBe("envelope-completed");
  });

  describe("key rotation", () => {
    it("accepts any header matching any configured key: the new key's signature in header 2", async () => {
      const headers = headersWith({
        "X-DocuSign-Signature-1": connectSignature(BODY, connectHmacKey()), // a key this tenant never saved
        "X-DocuSign-Signature-2": connectSignature(BODY, KEY),
      });
      await expect(verifyDocuSign({ payload: BODY, headers, secrets: [OLD_KEY, KEY] })).resolves.toMatchObject({ event: "envelope-completed" });
    });

    it("accepts the old key's signature while both keys are configured", async () => {
      const headers = headersWith({ "X-DocuSign-Signature-1": connectSignature(BODY, OLD_KEY), "X-DocuSign-Signature-2": connectSignature(BODY, KEY) });
      await expect(verifyDocuSign({ payload: BODY, headers, secrets: [OLD_KEY] })).resolves.toBeDefined();
    });

    it("accepts signature headers numbered beyond 9", async () => {
      const headers = headersWith({ "X-DocuSign-Signature-12": connectSignature(BODY, KEY) });
      await expect(verifyDocuSign({ payload: BODY, headers, secrets: [KEY] })).resolves.toBeDefined();
    });
  });

  describe("refuses", () => {
    it("a request without any X-DocuSign-Signature-N header (ERR_WEBHOOK_MISSING_HEADER)", async () => {
      expect(await codeOf(verifyDocuSign({ payload: BODY, headers: headersWith({}), secrets: [KEY] }))).toBe("ERR_WEBHOOK_MISSING_HEADER");
    });

    it("headers that only look like it (no number, another prefix) as missing", async () => {
      const signature = connectSignature(BODY, KEY);
      const headers = headersWith({ "X-DocuSign-Signature": signature, "X-DocuSign-Signature-x": signature, "X-Signature-1": signature });
      expect(await codeOf(verifyDocuSign({ payload: BODY, headers, secrets: [KEY] }))).toBe("ERR_WEBHOOK_MISSING_HEADER");
    });

    it("a signature made with another key (ERR_WEBHOOK_SIGNATURE)", async () => {
      const headers = headersWith({ "X-DocuSign-Signature-1": connectSignature(BODY, connectHmacKey()) });
      expect(await codeOf(verifyDocuSign({ payload: BODY, headers, secrets: [KEY] }))).toBe("ERR_WEBHOOK_SIGNATURE");
    });

    it("a body changed after signing: truncated, or one byte different", async () => {
      const headers = headersWith({ "X-DocuSign-Signature-1": connectSignature(BODY, KEY) });
      expect(await codeOf(verifyDocuSign({ payload: BODY.slice(0, -1), headers, secrets: [KEY] }))).toBe("ERR_WEBHOOK_SIGNATURE");
      expect(await codeOf(verifyDocuSign({ payload: BODY.replace("completed", "Completed"), headers, secrets: [KEY] }))).toBe("ERR_WEBHOOK_SIGNATURE");
    });

    it("garbage, truncated or hex signatures without throwing on their length", async () => {
      const good = connectSignature(BODY, KEY);
      const hex = Buffer.from(good, "base64").toString("hex");
      for (const value of ["garbage!!", "", good.slice(0, 20), `${good}AAAA`, hex, "=".repeat(44)]) {
        expect(await codeOf(verifyDocuSign({ payload: BODY, headers: headersWith({ "X-DocuSign-Signature-1": value }), secrets: [KEY] }))).toBe("ERR_WEBHOOK_SIGNATURE");
      }
    });

    it("everything when no key (or only a blank one) is configured", async () => {
      const headers = headersWith({ "X-DocuSign-Signature-1": connectSignature(BODY, "") });
      expect(await codeOf(verifyDocuSign({ payload: BODY, headers, secrets: [] }))).toBe("ERR_WEBHOOK_SIGNATURE");
      expect(await codeOf(verifyDocuSign({ payload: BODY, headers, secrets: ["", "  "] }))).toBe("ERR_WEBHOOK_SIGNATURE");
    });

    it("a signed body that is not JSON (an XML SIM configuration) as ERR_WEBHOOK_PAYLOAD", async () => {
      const xml = `<?xml version="1.0" encoding="utf-8"?><DocuSignEnvelopeInformation/>`;
      const headers = headersWith({ "X-DocuSign-Signature-1": connectSignature(xml, KEY) });
      expect(await codeOf(verifyDocuSign({ payload: xml, headers, secrets: [KEY] }))).toBe("ERR_WEBHOOK_PAYLOAD");
    });

    it.each([
      ["no event", { generatedDateTime: "2025-05-30T18:03:50Z", data: { envelopeId: "e" } }],
      ["no generatedDateTime", { event: "envelope-sent", data: { envelopeId: "e" } }],
      ["no data", { event: "envelope-sent", generatedDateTime: "2025-05-30T18:03:50Z" }],
      ["a numeric envelopeId", { event: "envelope-sent", generatedDateTime: "2025-05-30T18:03:50Z", data: { envelopeId: 7 } }],
      ["an array", [{ event: "envelope-sent" }]],
      ["null", null],
    ])("a signed JSON body with %s as ERR_WEBHOOK_PAYLOAD", async (_, value) => {
      const body = JSON.stringify(value);
      const headers = headersWith({ "X-DocuSign-Signature-1": connectSignature(body, KEY) });
      expect(await codeOf(verifyDocuSign({ payload: body, headers, secrets: [KEY] }))).toBe("ERR_WEBHOOK_PAYLOAD");
    });
  });

  it("never puts a key or a signature in its error messages", async () => {
    const signature = connectSignature(BODY, connectHmacKey());
    const error = (await verifyDocuSign({ payload: BODY, headers: headersWith({ "X-DocuSign-Signature-1": signature }), secrets: [KEY] }).catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain(KEY);
    expect(error.message).not.toContain(signature);
  });
});
