import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createZoomApi, zoomTestApp, type ZoomTestApp } from "../../../../tests/support/zoom-api.ts";
import { createLogger } from "../../http/logger.ts";
import { RENEW_BEFORE_EXPIRY_MS, ZoomTokenCache } from "./access-token.ts";
import { createZoomClient } from "./client.ts";
import { zoomErrorProblem } from "./error-problem.ts";
import { ZoomApiError } from "./errors.ts";

const zoomApi = createZoomApi();
beforeAll(() => zoomApi.listen());
afterEach(() => zoomApi.reset());
afterAll(() => zoomApi.close());

const T0 = 1_790_000_000_000;

/** A client for a new tenant and app (registered with the fake Zoom unless told otherwise), on a movable clock. */
function setup(options: { register?: boolean; app?: ZoomTestApp; tokens?: ZoomTokenCache; bases?: { oauthBase: string; apiBase: string } } = {}) {
  const app = options.app ?? zoomTestApp();
  if (options.register ?? true) zoomApi.addApp(app);
  let now = T0;
  const tenantId = crypto.randomUUID();
  const client = createZoomClient({
    tenantId, credentials: app, fetch: (input, init) => globalThis.fetch(input, init), now: () => now,
    tokens: options.tokens ?? new ZoomTokenCache(), ...options.bases,
  });
  return { app, client, tenantId, advance: (ms: number) => (now += ms) };
}

const tokenCalls = () => zoomApi.callsTo("/oauth/token", "POST");
const meCalls = () => zoomApi.callsTo("/v2/users/me", "GET");

async function thrown(promise: Promise<unknown>): Promise<ZoomApiError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ZoomApiError);
  return error as ZoomApiError;
}

describe("Zoom Server-to-Server OAuth client", () => {
  it("gets a token with Basic clientId:clientSecret and account_credentials, then calls the API with it", async () => {
    const { app, client } = setup();

    const user = await client.request<{ email: string }>("GET", "/v2/users/me");

    expect(user?.email).toBe("classes@school.example");
    const [tokenCall] = tokenCalls();
    expect(tokenCall!.headers.get("authorization")).toBe(`Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString("base64")}`);
    expect(tokenCall!.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(tokenCall!.body).toEqual({ grant_type: "account_credentials", account_id: app.accountId });
    expect(meCalls()[0]!.headers.get("authorization")).toMatch(/^Bearer eyJ/);
  });

  it("sends a JSON body and answers Zoom's 201 object and 204 as undefined", async () => {
    const { client } = setup();

    const created = await client.request<{ id: number; topic: string }>("POST", "/v2/users/me/meetings", { topic: "Chemistry", type: 1 });
    const patched = await client.request("PATCH", `/v2/meetings/${created!.id}`, { topic: "Chemistry II" });

    expect(created).toMatchObject({ topic: "Chemistry", type: 1 });
    expect(patched).toBeUndefined();
    expect(zoomApi.callsTo("/v2/users/me/meetings")[0]!.headers.get("content-type")).toBe("application/json");
    expect(zoomApi.meeting(created!.id)).toMatchObject({ topic: "Chemistry II" });
  });

  it("reuses the cached token until it has 60 s left, then renews it", async () => {
    const { client, advance } = setup();
    await client.request("GET", "/v2/users/me");
    await client.request("GET", "/v2/users/me");
    expect(tokenCalls()).toHaveLength(1);

    advance(3600_000 - RENEW_BEFORE_EXPIRY_MS - 1);
    await client.request("GET", "/v2/users/me");
    expect(tokenCalls()).toHaveLength(1);

    advance(1);
    await client.request("GET", "/v2/users/me");
    expect(tokenCalls()).toHaveLength(2);
    expect(meCalls()).toHaveLength(4);
  });

  it("asks Zoom once for a token when many calls start together", async () => {
    const { client } = setup();

    await Promise.all(Array.from({ length: 8 }, () => client.request("GET", "/v2/users/me")));

    expect(tokenCalls()).toHaveLength(1);
    expect(meCalls()).toHaveLength(8);
  });

  it("keeps one token per tenant and per credentials: another tenant or a rotated secret gets its own", async () => {
    const tokens = new ZoomTokenCache();
    const a = setup({ tokens });
    await a.client.request("GET", "/v2/users/me");
    // The same app saved by another tenant: a token of its own.
    const b = setup({ tokens, app: a.app, register: false });
    await b.client.request("GET", "/v2/users/me");
    // The same tenant after its admin rotated the client secret.
    const rotated = { ...a.app, clientSecret: `${a.app.clientSecret}-rotated` };
    zoomApi.addApp(rotated);
    const c = createZoomClient({ tenantId: a.tenantId, credentials: rotated, fetch: globalThis.fetch, now: () => T0, tokens });
    await c.request("GET", "/v2/users/me");

    expect(tokenCalls()).toHaveLength(3);
  });

  it("renews the token once and retries when Zoom answers 401 (token invalidated elsewhere)", async () => {
    const { client } = setup();
    await client.request("GET", "/v2/users/me");
    zoomApi.revokeTokens();

    const user = await client.request<{ email: string }>("GET", "/v2/users/me");

    expect(user?.email).toBe("classes@school.example");
    expect(tokenCalls()).toHaveLength(2);
    expect(meCalls()).toHaveLength(3);
    const [, rejected, retried] = meCalls();
    expect(rejected!.headers.get("authorization")).not.toBe(retried!.headers.get("authorization"));
  });

  it("renews once for a burst of 401s", async () => {
    const { client } = setup();
    await client.request("GET", "/v2/users/me");
    zoomApi.revokeTokens();

    await Promise.all(Array.from({ length: 5 }, () => client.request("GET", "/v2/users/me")));

    expect(tokenCalls()).toHaveLength(2);
  });

  it("gives up after one renewal when Zoom keeps answering 401", async () => {
    const { client } = setup();
    zoomApi.fail("get", "/v2/users/me", 401, { code: 124, message: "Invalid access token." });

    const error = await thrown(client.request("GET", "/v2/users/me"));

    expect(error).toMatchObject({ status: 401, stage: "api", code: "124", zoomMessage: "Invalid access token." });
    expect(tokenCalls()).toHaveLength(2);
    expect(meCalls()).toHaveLength(2);
  });

  it("does not renew for a missing scope (4711): a new token would have the same scopes", async () => {
    const app = zoomTestApp();
    zoomApi.addApp(app, ["meeting:write:meeting:admin"]);
    const { client } = setup({ app, register: false });

    const error = await thrown(client.request("GET", "/v2/users/me"));

    expect(error).toMatchObject({ status: 400, code: "4711", zoomMessage: "Invalid access token, does not contain scopes:[user:read:user:admin]." });
    expect(tokenCalls()).toHaveLength(1);
  });

  it("reports a refused token request (invalid_client, wrong account) without calling the API", async () => {
    const unknown = setup({ register: false });
    const wrongAccount = setup();
    const badAccount = createZoomClient({
      tenantId: wrongAccount.tenantId, credentials: { ...wrongAccount.app, accountId: "acct_not_this_one" }, fetch: globalThis.fetch, now: () => T0, tokens: new ZoomTokenCache(),
    });

    expect(await thrown(unknown.client.request("GET", "/v2/users/me"))).toMatchObject({ status: 400, stage: "oauth", code: "invalid_client", zoomMessage: "Invalid client_id or client_secret" });
    expect(await thrown(badAccount.request("GET", "/v2/users/me"))).toMatchObject({ stage: "oauth", code: "invalid_request" });
    expect(meCalls()).toEqual([]);
  });

  it("reports Zoom unreachable (token or API) as status 0", async () => {
    const a = setup();
    zoomApi.disconnect("post", "/oauth/token");
    expect(await thrown(a.client.request("GET", "/v2/users/me"))).toMatchObject({ status: 0, stage: "oauth", code: "connection_error" });
    zoomApi.reset();

    const b = setup();
    zoomApi.disconnect("get", "/v2/users/me");
    expect(await thrown(b.client.request("GET", "/v2/users/me"))).toMatchObject({ status: 0, stage: "api", code: "connection_error" });
  });

  it("removes the app's credentials and the token from Zoom's messages", async () => {
    const { app, client } = setup();
    zoomApi.fail("post", "/oauth/token", 400, { reason: `Invalid client_secret ${app.clientSecret} for ${app.clientId}`, error: "invalid_client" });

    const error = await thrown(client.request("GET", "/v2/users/me"));

    expect(error.zoomMessage).toBe("Invalid client_secret [redacted] for [redacted]");
    expect(error.message).not.toContain(app.clientSecret);
  });

  it("sends every call to ZOOM_OAUTH_BASE and ZOOM_API_BASE when set", async () => {
    const local = createZoomApi({ oauthBase: "http://127.0.0.1:9911", apiBase: "http://127.0.0.1:9912" });
    zoomApi.close();
    local.listen();
    try {
      const app = local.addApp(zoomTestApp());
      const client = createZoomClient({
        tenantId: crypto.randomUUID(), credentials: app, fetch: globalThis.fetch, now: () => T0, tokens: new ZoomTokenCache(),
        oauthBase: "http://127.0.0.1:9911", apiBase: "http://127.0.0.1:9912",
      });
      await client.request("GET", "/v2/users/me");
      expect(local.calls.map((c) => `${c.method} ${c.path}`)).toEqual(["POST /oauth/token", "GET /v2/users/me"]);
    } finally {
      local.close();
      zoomApi.listen();
    }
  });
});

describe("zoomErrorProblem", () => {
  async function problemFor(setupFailure: (app: ZoomTestApp) => void) {
    const { app, client } = setup();
    setupFailure(app);
    const error = await client.request("GET", "/v2/users/me").catch((e: unknown) => e);
    const lines: string[] = [];
    const res = zoomErrorProblem(error, createLogger({}, (line) => lines.push(line)))!;
    const text = await res.text();
    for (const secret of [app.clientSecret, app.clientId, app.accountId]) expect(text + lines.join("")).not.toContain(secret);
    return { res, body: JSON.parse(text) as Record<string, string>, lines };
  }

  it("maps refused app credentials to 502 naming Zoom's error", async () => {
    const { res, body, lines } = await problemFor((app) => zoomApi.fail("post", "/oauth/token", 400, { reason: `Invalid client_id ${app.clientId}`, error: "invalid_client" }));

    expect(res.status).toBe(502);
    expect(body).toMatchObject({ code: "zoom_oauth_error: invalid_client", title: "Zoom rejected the school's app credentials" });
    expect(body.detail).toContain("invalid_client: Invalid client_id [redacted]");
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "warn", code: "zoom_oauth_error: invalid_client", zoomStatus: 400 });
  });

  it("maps an API error to 502 with Zoom's code and message", async () => {
    const { res, body } = await problemFor(() => zoomApi.fail("get", "/v2/users/me", 404, { code: 1001, message: "User does not exist: me." }));

    expect(res.status).toBe(502);
    expect(body).toMatchObject({ code: "zoom_api_error: 1001", detail: "Zoom answered 404 1001: User does not exist: me." });
  });

  it("maps a rate limit (429) to 503 with Zoom's Retry-After, or 2 seconds", async () => {
    const given = await problemFor(() => zoomApi.fail("get", "/v2/users/me", 429, { code: 429, message: "You have reached the maximum per-second rate limit for this API. Try again later." }, { "retry-after": "7" }));
    zoomApi.reset();
    const defaulted = await problemFor(() => zoomApi.fail("get", "/v2/users/me", 429, { code: 429, message: "Too many requests." }));

    expect([given.res.status, given.res.headers.get("retry-after"), given.body.code]).toEqual([503, "7", "zoom_rate_limit_error: 429"]);
    expect(defaulted.res.headers.get("retry-after")).toBe("2");
  });

  it("maps Zoom unreachable to 502", async () => {
    const { res, body } = await problemFor(() => zoomApi.disconnect("get", "/v2/users/me"));

    expect(res.status).toBe(502);
    expect(body).toMatchObject({ code: "zoom_connection_error: connection_error", title: "Zoom could not be reached" });
  });

  it("leaves errors that are not Zoom's to the caller", () => {
    expect(zoomErrorProblem(new Error("boom"), createLogger({}, () => {}))).toBeUndefined();
  });
});
