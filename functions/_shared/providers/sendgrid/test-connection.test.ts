import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSendGridApi, SENDGRID_EU, SENDGRID_GLOBAL } from "../../../../tests/support/sendgrid-api.ts";
import { contextFor, testServices } from "../../../../tests/support/services.ts";
import type { Db } from "../../db/port.ts";
import { CONNECTION_TESTERS } from "../connection-testers.ts";
import { testSendGridConnection } from "./test-connection.ts";

const LOCAL = "http://127.0.0.1:3998";
const API_KEY = "SG.connectionTestKey0.0123456789abcdefghijklmnopqrstuv";
const sendgridApi = createSendGridApi([SENDGRID_GLOBAL, SENDGRID_EU, LOCAL]);
beforeAll(() => sendgridApi.listen());
afterEach(() => sendgridApi.reset());
afterAll(() => sendgridApi.close());

// The connection test never touches the database.
const noDb = {} as Db;
async function run(input: { credentials?: Record<string, unknown>; settings?: Record<string, unknown>; configOverrides?: Record<string, string> } = {}) {
  const services = await testServices(noDb, { configOverrides: input.configOverrides ?? {} });
  const result = await testSendGridConnection({
    tenantId: crypto.randomUUID(), credentials: input.credentials ?? { apiKey: API_KEY }, settings: input.settings ?? {}, ctx: contextFor(services),
  });
  expect(JSON.stringify(result)).not.toContain(API_KEY);
  expect(services.logs.lines.join("\n")).not.toContain(API_KEY);
  return result;
}

describe("testSendGridConnection (GET /v3/scopes)", () => {
  it("is registered as the sendgrid connection tester", async () => {
    expect(await CONNECTION_TESTERS.sendgrid!()).toBe(testSendGridConnection);
  });

  it("passes when the key holds mail.send, on the global host by default", async () => {
    expect(await run()).toEqual({ ok: true, details: { mailSendGranted: true, apiHost: "api.sendgrid.com", scopeCount: 3 } });
    expect(sendgridApi.calls).toMatchObject([{ method: "GET", base: SENDGRID_GLOBAL, path: "/v3/scopes" }]);
    expect(sendgridApi.calls[0]!.headers.get("authorization")).toBe(`Bearer ${API_KEY}`);
  });

  it("goes to the EU host with dataResidency eu, and to SENDGRID_API_BASE when set", async () => {
    expect(await run({ settings: { dataResidency: "eu" } })).toMatchObject({ ok: true, details: { apiHost: "api.eu.sendgrid.com" } });
    expect(await run({ settings: { dataResidency: "eu" }, configOverrides: { SENDGRID_API_BASE: LOCAL } })).toMatchObject({ ok: true, details: { apiHost: "127.0.0.1:3998" } });
    expect(sendgridApi.calls.map((c) => c.base)).toEqual([SENDGRID_EU, LOCAL]);
  });

  it("fails, saying so, when the key may not send mail", async () => {
    sendgridApi.setScopes(["templates.read", "stats.read"]);
    expect(await run()).toEqual({
      ok: false, code: "missing_scope", details: { mailSendGranted: false, apiHost: "api.sendgrid.com" },
      error: "the API key may not send mail: give it the 'Mail Send' permission in SendGrid",
    });
  });

  it("reports a rejected key, an unreachable SendGrid and other errors with SendGrid's words", async () => {
    sendgridApi.fail("get", "/v3/scopes", 401, [{ message: "authorization required" }]);
    expect(await run()).toMatchObject({ ok: false, code: "sendgrid_unauthorized", error: "SendGrid rejected the API key (invalid or revoked)" });
    sendgridApi.reset();
    sendgridApi.fail("get", "/v3/scopes", 403, [{ message: "access forbidden" }]);
    expect(await run()).toMatchObject({ ok: false, code: "sendgrid_forbidden", error: "SendGrid answered 403: access forbidden" });
    sendgridApi.reset();
    sendgridApi.disconnect("get", "/v3/scopes");
    expect(await run()).toMatchObject({ ok: false, code: "sendgrid_unreachable", error: "SendGrid could not be reached at api.sendgrid.com" });
  });

  it("needs a key and calls nothing without one", async () => {
    expect(await run({ credentials: {} })).toEqual({ ok: false, error: "no API key is saved or given", code: "missing_api_key" });
    expect(sendgridApi.calls).toEqual([]);
  });
});
