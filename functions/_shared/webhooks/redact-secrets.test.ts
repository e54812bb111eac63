import { describe, expect, it } from "vitest";
import { REDACTED, redactSecrets } from "./redact-secrets.ts";

const roundTrip = (payload: unknown) => redactSecrets(payload, JSON.stringify(payload));

describe("redactSecrets", () => {
  it("keeps the verified text as is, byte for byte, when nothing can be a credential (no re-serializing)", () => {
    const text = '{ "id": "evt_1",  "type": "payment_intent.succeeded", "data": {"object": {"amount": 100}} }';
    const payload = JSON.parse(text) as unknown;
    const result = redactSecrets(payload, text);
    expect(result.json).toBe(text);
    expect(result.payload).toBe(payload);
  });

  it("keeps the verified text on a false alarm: the word in a value, not a key", () => {
    const text = '{"description": "a token of thanks", "note": "password reset page"}';
    expect(redactSecrets(JSON.parse(text), text).json).toBe(text);
  });

  it("blanks Zoom's passcodes at any depth, and pwd/zak/tk in join and start URLs", () => {
    const { payload, json } = roundTrip({
      event: "meeting.created",
      payload: { object: {
        id: 81234567890, topic: "Algebra", password: "Xy7!pQ", h323_password: "h323Pw77", pstn_password: "pstnPw88",
        encrypted_password: "8A2s9Qq", settings: { password: "Xy7!pQ", join_before_host: false },
        join_url: "https://us02web.zoom.us/j/81234567890?pwd=8A2s9Qq.1&uname=Ada",
        start_url: "https://us02web.zoom.us/s/81234567890?zak=eyJ6bV9za20iOiJ6bV9vMm0ifQ.abc",
        registrant_url: "https://zoom.us/w/81234567890?tk=TOKEN123&uuid=x",
        recording_play_passcode: "RpPasscode123",
      } },
      download_token: "eyJ0eXAiOiJKV1QifQ.body.sig",
    });
    expect(payload).toEqual({
      event: "meeting.created",
      payload: { object: {
        id: 81234567890, topic: "Algebra", password: REDACTED, h323_password: REDACTED, pstn_password: REDACTED,
        encrypted_password: REDACTED, settings: { password: REDACTED, join_before_host: false },
        join_url: `https://us02web.zoom.us/j/81234567890?pwd=${REDACTED}&uname=Ada`,
        start_url: `https://us02web.zoom.us/s/81234567890?zak=${REDACTED}`,
        registrant_url: `https://zoom.us/w/81234567890?tk=${REDACTED}&uuid=x`,
        recording_play_passcode: REDACTED,
      } },
      download_token: REDACTED,
    });
    expect(JSON.parse(json)).toEqual(payload);
    for (const secret of ["Xy7!pQ", "h323Pw77", "pstnPw88", "8A2s9Qq", "eyJ6bV9za20", "TOKEN123", "RpPasscode123", "eyJ0eXAi"]) {
      expect(json).not.toContain(secret);
    }
  });

  it("blanks Stripe's client_secret, names like *token*/*secret*/*passcode*, inside arrays too, and tokens in URLs", () => {
    const { payload } = roundTrip({
      data: { object: { id: "pi_1", client_secret: "pi_1_secret_abc", metadata: { enrollment_id: "e", tenant_id: "t" } } },
      items: [{ accessToken: "at" }, { refresh_token: { nested: "rt" } }, { "Pass-Code": "pc" }, { api_key: "k" }, { name: "ok" }],
      url: "https://app.example/reset?access_token=abc&next=%2Fhome#x",
    });
    expect(payload).toEqual({
      data: { object: { id: "pi_1", client_secret: REDACTED, metadata: { enrollment_id: "e", tenant_id: "t" } } },
      items: [{ accessToken: REDACTED }, { refresh_token: REDACTED }, { "Pass-Code": REDACTED }, { api_key: REDACTED }, { name: "ok" }],
      url: `https://app.example/reset?access_token=${REDACTED}&next=%2Fhome#x`,
    });
  });

  it("copies only what it changes: untouched subtrees are the caller's own objects", () => {
    const customer = { id: "cus_1", address: { city: "Springfield" } };
    const payload = { data: { object: { client_secret: "pi_1_secret_x", customer }, lines: [customer] } };
    const redacted = roundTrip(payload).payload as typeof payload;
    expect(redacted.data.object.customer).toBe(customer);
    expect(redacted.data.lines).toBe(payload.data.lines);
    expect(payload.data.object.client_secret).toBe("pi_1_secret_x"); // the input is never changed
  });

  it("leaves empty and null credentials as they are, and redacts an already redacted payload to itself", () => {
    const once = roundTrip({ password: "", token: null, secret: "s", join_url: "https://zoom.us/j/1?pwd=" });
    expect(once.payload).toEqual({ password: "", token: null, secret: REDACTED, join_url: "https://zoom.us/j/1?pwd=" });
    const twice = redactSecrets(once.payload, once.json);
    expect(twice.json).toBe(once.json);
  });

  it("keeps keys named like Object.prototype members as plain data", () => {
    const text = '{"__proto__": {"password": "p", "polluted": true}, "constructor": {"secret": "s"}}';
    const { payload, json } = redactSecrets(JSON.parse(text), text);
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(json)).toEqual(JSON.parse('{"__proto__": {"password": "[redacted]", "polluted": true}, "constructor": {"secret": "[redacted]"}}'));
  });

  it("finds key names spelled with \\u escapes", () => {
    const text = '{"\\u0070assword": "hunter2"}';
    expect(redactSecrets(JSON.parse(text), text).json).toBe(`{"password":"${REDACTED}"}`);
  });

  it("serializes a payload that came without its text (SendGrid's batch elements)", () => {
    expect(redactSecrets({ event: "click", url: "https://school.example/pay?token=t1" }).json)
      .toBe(`{"event":"click","url":"https://school.example/pay?token=${REDACTED}"}`);
    expect(redactSecrets({ event: "delivered" }).json).toBe('{"event":"delivered"}');
  });
});
