import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { contextFor, testServices } from "../../../../tests/support/services.ts";
import { createZoomApi, zoomTestApp } from "../../../../tests/support/zoom-api.ts";
import type { Db } from "../../db/port.ts";
import { CONNECTION_TESTERS } from "../connection-testers.ts";
import { testZoomConnection } from "./test-connection.ts";

const zoomApi = createZoomApi();
beforeAll(() => zoomApi.listen());
afterEach(() => zoomApi.reset());
afterAll(() => zoomApi.close());

// The tester never touches the database.
const noDb = {} as Db;

async function run(credentials: Record<string, unknown>) {
  const services = await testServices(noDb);
  const result = await testZoomConnection({ tenantId: crypto.randomUUID(), credentials, settings: { autoRecording: "none" }, ctx: contextFor(services) });
  const shown = JSON.stringify(result) + services.logs.lines.join("\n");
  for (const value of Object.values(credentials)) if (typeof value === "string" && value.length >= 6) expect(shown).not.toContain(value);
  return result;
}

describe("testZoomConnection", () => {
  it("is the zoom line of CONNECTION_TESTERS", async () => {
    expect(await CONNECTION_TESTERS.zoom!()).toBe(testZoomConnection);
  });

  it("gets a token and reads /v2/users/me: the app user's email, plan and role", async () => {
    const app = zoomApi.addApp(zoomTestApp());

    const result = await run({ ...app, webhookSecretToken: "whtoken_0123456789abcdef" });

    expect(result).toEqual({ ok: true, details: { email: "classes@school.example", planType: "licensed", roleName: "Owner" } });
    expect(zoomApi.calls.map((c) => `${c.method} ${c.path}`)).toEqual(["POST /oauth/token", "GET /v2/users/me"]);
  });

  it("asks Zoom for a new token on every test (it tests the credentials, not a cached token)", async () => {
    const app = zoomApi.addApp(zoomTestApp());
    await run({ ...app });
    await run({ ...app });

    expect(zoomApi.callsTo("/oauth/token")).toHaveLength(2);
  });

  it("reports a refused client ID or secret", async () => {
    const app = zoomTestApp();
    zoomApi.addApp(app);

    const result = await run({ ...app, clientSecret: "csecret_wrong_000000000000000000" });

    expect(result).toMatchObject({ ok: false, code: "invalid_client", error: expect.stringContaining("client ID or client secret") });
    expect(zoomApi.callsTo("/v2/users/me")).toEqual([]);
  });

  it("reports a wrong account ID with Zoom's reason", async () => {
    const app = zoomApi.addApp(zoomTestApp());

    const result = await run({ ...app, accountId: "acct_someone_else_000" });

    expect(result).toMatchObject({ ok: false, code: "invalid_request", error: expect.stringContaining("Invalid account_id") });
  });

  it("reports a missing scope, naming it", async () => {
    const app = zoomTestApp();
    zoomApi.addApp(app, ["meeting:write:meeting:admin"]);

    const result = await run({ ...app });

    expect(result).toMatchObject({ ok: false, code: "missing_scope", error: expect.stringContaining("user:read:user:admin") });
  });

  it("reports Zoom unreachable", async () => {
    const app = zoomApi.addApp(zoomTestApp());
    zoomApi.disconnect("post", "/oauth/token");

    expect(await run({ ...app })).toMatchObject({ ok: false, code: "connection_error" });
  });

  it("names missing credentials without calling Zoom", async () => {
    const result = await run({ accountId: "acct_only_0000", webhookSecretToken: "whtoken_0123456789abcdef" });

    expect(result).toEqual({
      ok: false, code: "missing_credentials", error: "no clientId, clientSecret is saved or given", details: { missing: ["clientId", "clientSecret"] },
    });
    expect(zoomApi.calls).toEqual([]);
  });
});
