import { createHmac } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { DbPool } from "../_shared/db/port.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { contextFor, testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { configureIntegration, createTenant } from "../../tests/support/tenants.ts";
import { adminToken, signToken } from "../../tests/support/tokens.ts";
import { sealMeetingPasscode } from "../_shared/domain/meetings/passcode.ts";
import { createZoomApi, zoomTestApp } from "../../tests/support/zoom-api.ts";
import { zoomMeetingNumber, zoomMeetingUuid } from "../../tests/support/zoom.ts";
import { handler } from "./handler.ts";

type TestServices = Services & { logs: CapturedLogs };

// Zoom's API for the host's ZAK (GET /v2/users/{userId}/token?type=zak), msw-shaped as tests/support/zoom-api.ts documents.
const zoomApi = createZoomApi();
beforeAll(() => zoomApi.listen());
afterEach(() => zoomApi.reset());
afterAll(() => zoomApi.close());

const TEACHER = "ms.rivera@school.example";
const PASSCODE = "k7Qx2p";

const NOW_MS = 1_790_000_000_000;
const NOW = NOW_MS / 1000;

interface Answer {
  status: number;
  text: string;
  json: Record<string, any>;
  headers: Headers;
}

async function call(services: TestServices, body: unknown, options: { token?: string; method?: string } = {}): Promise<Answer> {
  const headers = new Headers({ "content-type": "application/json" });
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  const method = options.method ?? "POST";
  const res = await handler(new Request("https://ips.example.test/api/zoom/sdk-signature", {
    method, headers, ...(method === "POST" && body !== undefined ? { body: JSON.stringify(body) } : {}),
  }), contextFor(services));
  const text = await res.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch {
    // not JSON
  }
  return { status: res.status, text, json, headers: res.headers };
}

/** Checks an HS256 JWT with Node's crypto (not jose, not the code under test) and returns its header and payload. */
function verifiedJwt(token: string, secret: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload, signature] = token.split(".");
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  expect(signature).toBe(expected);
  const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
  return { header: decode(header!), payload: decode(payload!) };
}

describe.each(ADAPTERS)("zoom-sdk-signature on %s", (adapter) => {
  let db: DbPool;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  /**
   * A school with Zoom (its Server-to-Server app registered with the fake Zoom, and its Meeting SDK app), one
   * of its meetings hosted by TEACHER with a sealed passcode, a student, the teacher and an admin.
   */
  async function setup(options: { enabled?: boolean; sdk?: boolean; hostEmail?: string | null } = {}) {
    const services = await testServices(db, { now: () => NOW_MS });
    const app = zoomApi.addApp(zoomTestApp());
    const hostEmail = options.hostEmail === undefined ? zoomApi.addUser(TEACHER) : options.hostEmail;
    const sdkKey = `sdkkey_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
    const sdkSecret = `sdksecret_${crypto.randomUUID().replaceAll("-", "")}`;
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, "zoom", {
      ...app, webhookSecretToken: "zmtoken_0123456789abcdef", ...(options.sdk ?? true ? { sdkKey, sdkSecret } : {}),
    }, { enabled: options.enabled ?? true });
    const meetingNumber = zoomMeetingNumber();
    const meetingId = crypto.randomUUID();
    const passcode = await sealMeetingPasscode(services.vault, tenantId, meetingId, PASSCODE);
    await db.query(
      `insert into meetings (id, tenant_id, zoom_meeting_id, uuid, type, topic, auto_recording, join_url, host_email, passcode)
       values ($1, $2, $3, $4, 1, 'Office hours', 'none', 'https://us05web.zoom.us/j/1', $5, $6::jsonb)`,
      [meetingId, tenantId, meetingNumber, zoomMeetingUuid(), hostEmail, JSON.stringify(passcode)]);
    const student = await signToken({ tenantId, role: "student", email: "ada@family.example" });
    const teacher = await signToken({ tenantId, role: "teacher", email: TEACHER.toUpperCase() });
    const otherTeacher = await signToken({ tenantId, role: "teacher", email: "mr.okafor@school.example" });
    const admin = await adminToken(tenantId);
    const expectNoSecret = (...answers: Answer[]) => {
      for (const answer of answers) expect(answer.text).not.toContain(sdkSecret);
      const logs = services.logs.lines.join("\n");
      for (const secret of [sdkSecret, PASSCODE, app.clientSecret]) expect(logs).not.toContain(secret);
    };
    return { services, tenantId, sdkKey, sdkSecret, meetingNumber, meetingId, student, teacher, otherTeacher, admin, app, expectNoSecret };
  }

  it("signs role 0 for any signed-in user of the tenant: HS256 with the SDK secret, Zoom's payload, 2 h by default, with the passcode", async () => {
    const { services, sdkKey, sdkSecret, meetingNumber, meetingId, student, expectNoSecret } = await setup();

    const res = await call(services, { meetingId, role: 0 }, { token: student });

    expect(res.status).toBe(200);
    const iat = NOW - 30;
    expect(res.json).toEqual({
      signature: expect.any(String), sdkKey, meetingNumber: String(meetingNumber), password: PASSCODE, role: 0,
      expiresAt: new Date((iat + 7200) * 1000).toISOString(),
    });
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { header, payload } = verifiedJwt(res.json.signature, sdkSecret);
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(payload).toEqual({ appKey: sdkKey, sdkKey, mn: String(meetingNumber), role: 0, iat, exp: iat + 7200, tokenExp: iat + 7200 });
    // An attendee needs no ZAK: Zoom is not called at all.
    expect(zoomApi.calls).toEqual([]);
    expectNoSecret(res);
  });

  it("signs role 1 for an admin with the host's ZAK from GET /v2/users/{hostEmail}/token?type=zak", async () => {
    const { services, sdkSecret, meetingNumber, meetingId, admin, app, expectNoSecret } = await setup();

    const res = await call(services, { meetingId, role: 1 }, { token: admin });

    expect(res.status).toBe(200);
    expect(verifiedJwt(res.json.signature, sdkSecret).payload).toMatchObject({ role: 1, mn: String(meetingNumber) });
    expect(res.json).toMatchObject({ password: PASSCODE, role: 1, zak: zoomApi.zakOf(TEACHER) });
    const [token, zak] = zoomApi.calls;
    expect([token!.method, token!.path, token!.body]).toEqual(["POST", "/oauth/token", { grant_type: "account_credentials", account_id: app.accountId }]);
    expect(token!.headers.get("authorization")).toBe(`Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString("base64")}`);
    // The host's email, URL-encoded, as Zoom's userId; the app's bearer token.
    expect([zak!.method, zak!.path, zak!.query, zak!.body]).toEqual(["GET", "/v2/users/ms.rivera%40school.example/token", "?type=zak", undefined]);
    expect(zak!.headers.get("authorization")).toMatch(/^Bearer \S+$/);
    expect(services.logs.lines.join("\n")).not.toContain(res.json.zak);
    expectNoSecret(res);
  });

  it("signs role 1 for the teacher who hosts the meeting (token email = host_email) and refuses other teachers and students with 403", async () => {
    const { services, meetingId, teacher, otherTeacher, student } = await setup();

    const host = await call(services, { meetingId, role: 1 }, { token: teacher });
    const other = await call(services, { meetingId, role: 1 }, { token: otherTeacher });
    const refused = await call(services, { meetingId, role: 1 }, { token: student });
    const attend = await call(services, { meetingId, role: 0 }, { token: otherTeacher });

    expect([host.status, host.json.zak]).toEqual([200, zoomApi.zakOf(TEACHER)]);
    expect([other.status, other.json.code]).toEqual([403, "ERR_ZOOM_HOST_ROLE"]);
    expect([refused.status, refused.json.code]).toEqual([403, "ERR_ZOOM_HOST_ROLE"]);
    expect([attend.status, attend.json.zak]).toEqual([200, undefined]);
    expect(zoomApi.callsTo("/v2/users/ms.rivera%40school.example/token")).toHaveLength(1);
  });

  it("asks Zoom for `me`'s ZAK for a meeting without a host email (created before hosts were kept)", async () => {
    const { services, meetingId, admin } = await setup({ hostEmail: null });

    const res = await call(services, { meetingId, role: 1 }, { token: admin });

    expect(res.status).toBe(200);
    expect(zoomApi.callsTo("/v2/users/me/token", "GET")).toHaveLength(1);
  });

  it("answers 409 naming the host when Zoom no longer knows it (404, code 1001), and 502/503 when Zoom fails, issuing nothing", async () => {
    const gone = await setup({ hostEmail: "left.school@school.example" });
    const down = await setup();

    const unknown = await call(gone.services, { meetingId: gone.meetingId, role: 1 }, { token: gone.admin });
    zoomApi.disconnect("get", "/v2/users/ms.rivera%40school.example/token");
    const unreachable = await call(down.services, { meetingId: down.meetingId, role: 1 }, { token: down.admin });
    zoomApi.reset();
    zoomApi.fail("get", "/v2/users/ms.rivera%40school.example/token", 429, { code: 429, message: "You have reached the maximum per-second rate limit for this API." }, { "retry-after": "3" });
    const limited = await call(down.services, { meetingId: down.meetingId, role: 1 }, { token: down.admin });

    expect([unknown.status, unknown.json.code]).toEqual([409, "ERR_ZOOM_UNKNOWN_HOST"]);
    expect(unknown.json.detail).toContain("hostEmail left.school@school.example");
    expect([unreachable.status, unreachable.json.code]).toEqual([502, "zoom_connection_error: connection_error"]);
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([503, "3"]);
    for (const res of [unknown, unreachable, limited]) expect(res.json.signature).toBeUndefined();
  });

  it("answers 502 as a Zoom API failure (zoom_api_error: invalid_response) when Zoom's ZAK answer has no token", async () => {
    const { services, meetingId, admin } = await setup();
    // A 2xx without `token` (the ZAK answer is `{token}`: developers.zoom.us/docs/meeting-sdk/auth/zak).
    zoomApi.fail("get", "/v2/users/ms.rivera%40school.example/token", 200, {});

    const res = await call(services, { meetingId, role: 1 }, { token: admin });

    expect([res.status, res.json.title, res.json.code]).toEqual([502, "Zoom refused the request", "zoom_api_error: invalid_response"]);
    expect(res.json.detail).toContain("Zoom's ZAK answer has no token");
    expect([res.json.signature, res.json.zak]).toEqual([undefined, undefined]);
    expect(services.logs.lines.join("\n")).toContain("zoom_api_error: invalid_response");
  });

  it("reads and decrypts the school's Zoom integration once per request, on the host (role 1) path too", async () => {
    const { services, tenantId, meetingId, admin, student } = await setup();
    const open = vi.spyOn(services.vault, "open");
    const zoomOpens = () => open.mock.calls.filter(([, binding]) => binding.tenantId === tenantId && binding.integrationKey === "zoom").length;

    const host = await call(services, { meetingId, role: 1 }, { token: admin });
    const hostOpens = zoomOpens();
    const attend = await call(services, { meetingId, role: 0 }, { token: student });

    expect([host.status, attend.status]).toEqual([200, 200]);
    expect([hostOpens, zoomOpens() - hostOpens]).toEqual([1, 1]);
    open.mockRestore();
  });

  it("a passcode sealed for another meeting does not open (bound to tenant + meeting): 500, nothing revealed", async () => {
    const { services, tenantId, meetingId, student } = await setup();
    const [other] = await db.query<{ passcode: unknown }>("select passcode from meetings where id = $1", [meetingId]);
    const copyId = crypto.randomUUID();
    await db.query(
      `insert into meetings (id, tenant_id, zoom_meeting_id, type, topic, auto_recording, join_url, passcode)
       values ($1, $2, $3, 1, 'Copy', 'none', 'https://us05web.zoom.us/j/2', $4::jsonb)`,
      [copyId, tenantId, zoomMeetingNumber(), JSON.stringify(other!.passcode)]);

    const res = await call(services, { meetingId: copyId, role: 0 }, { token: student });

    expect(res.status).toBe(500);
    expect(res.text).not.toContain(PASSCODE);
  });

  it("takes a lifetime between 1800 s and 48 h", async () => {
    const { services, sdkSecret, meetingId, student } = await setup();

    for (const seconds of [1800, 172_800]) {
      const res = await call(services, { meetingId, role: 0, expirationSeconds: seconds }, { token: student });
      expect(res.status).toBe(200);
      const { payload } = verifiedJwt(res.json.signature, sdkSecret);
      expect([(payload.exp as number) - (payload.iat as number), payload.tokenExp]).toEqual([seconds, payload.exp]);
    }
  });

  const SOME_ID = "0b9cbd1e-5d43-4c55-9a0e-2f1d5c7e8a90";
  it.each([
    ["no body", undefined, "(body)"],
    ["no meetingId", { role: 0 }, "meetingId"],
    ["a meetingId that is a Zoom meeting number", { meetingId: "85746065432", role: 0 }, "meetingId"],
    ["a meetingId as a number", { meetingId: 85_746_065_432, role: 0 }, "meetingId"],
    ["no role", { meetingId: SOME_ID }, "role"],
    ["role 2", { meetingId: SOME_ID, role: 2 }, "role"],
    ["role as text", { meetingId: SOME_ID, role: "0" }, "role"],
    ["a lifetime under 30 minutes", { meetingId: SOME_ID, role: 0, expirationSeconds: 1799 }, "expirationSeconds"],
    ["a lifetime over 48 hours", { meetingId: SOME_ID, role: 0, expirationSeconds: 172_801 }, "expirationSeconds"],
    ["a fractional lifetime", { meetingId: SOME_ID, role: 0, expirationSeconds: 3600.5 }, "expirationSeconds"],
    ["an unknown field", { meetingId: SOME_ID, role: 0, sdkSecret: "x" }, "sdkSecret"],
  ])("answers 400 to %s", async (_name, body, field) => {
    const { services, student } = await setup();
    const res = await call(services, body, { token: student });

    expect(res.status).toBe(400);
    expect(Object.keys(res.json.errors)).toEqual([field]);
  });

  it("answers 404 for a meeting that is not this school's, or was deleted", async () => {
    const mine = await setup();
    const theirs = await setup();
    await db.query("update meetings set status = 'deleted', status_rank = 3 where tenant_id = $1", [mine.tenantId]);

    const other = await call(mine.services, { meetingId: theirs.meetingId, role: 0 }, { token: mine.student });
    const otherAsHost = await call(mine.services, { meetingId: theirs.meetingId, role: 1 }, { token: mine.admin });
    const deleted = await call(mine.services, { meetingId: mine.meetingId, role: 0 }, { token: mine.admin });

    expect([other.status, otherAsHost.status, deleted.status]).toEqual([404, 404, 404]);
    expect(other.json.code).toBe("ERR_MEETING_NOT_FOUND");
    expect(other.text).not.toContain(PASSCODE);
    expect(zoomApi.calls).toEqual([]);
  });

  it("answers 409 when Zoom is disabled or has no Meeting SDK key and secret", async () => {
    const disabled = await setup({ enabled: false });
    const noSdk = await setup({ sdk: false });

    const a = await call(disabled.services, { meetingId: disabled.meetingId, role: 0 }, { token: disabled.student });
    const b = await call(noSdk.services, { meetingId: noSdk.meetingId, role: 0 }, { token: noSdk.student });

    expect([a.status, a.json.code]).toEqual([409, "ERR_ZOOM_NOT_ENABLED"]);
    expect([b.status, b.json.code]).toEqual([409, "ERR_ZOOM_NO_SDK_CREDENTIALS"]);
  });

  it("answers 401 without a valid token, 403 to a token without a tenant or for an unknown one, 405 to GET", async () => {
    const { services, meetingId, tenantId } = await setup();
    const noTenant = await signToken({});
    const expired = await signToken({ tenantId: crypto.randomUUID(), expiresIn: -10 });

    expect((await call(services, { meetingId, role: 0 })).status).toBe(401);
    expect((await call(services, { meetingId, role: 0 }, { token: expired })).status).toBe(401);
    expect((await call(services, { meetingId, role: 0 }, { token: noTenant })).status).toBe(403);
    const unknownTenant = await call(services, { meetingId, role: 0 }, { token: await signToken({ tenantId: crypto.randomUUID() }) });
    expect([unknownTenant.status, unknownTenant.json.code]).toEqual([403, "ERR_AUTH_TENANT"]);
    const get = await call(services, undefined, { token: await signToken({ tenantId }), method: "GET" });
    expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
  });
});
