import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import { DbUnavailableError, type Db, type DbPool, type Row } from "../_shared/db/port.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { contextFor, testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { configureIntegration, createTenant } from "../../tests/support/tenants.ts";
import { adminToken, signToken } from "../../tests/support/tokens.ts";
import { APP_USER_EMAIL, createZoomApi, zoomTestApp, type ZoomTestApp } from "../../tests/support/zoom-api.ts";
import { VaultError } from "../_shared/crypto/vault.ts";
import { openMeetingPasscode } from "../_shared/domain/meetings/passcode.ts";
import { handler } from "./handler.ts";

type TestServices = Services & { logs: CapturedLogs };

const zoomApi = createZoomApi();
beforeAll(() => zoomApi.listen());
afterEach(() => zoomApi.reset());
afterAll(() => zoomApi.close());

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, any>;
}

async function call(services: TestServices, method: string, path: string, options: { token?: string; body?: unknown; rawBody?: string } = {}): Promise<Answer> {
  const headers = new Headers({ "content-type": "application/json" });
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  const body = options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
  // As the router hands it over: `{id}` for /api/admin/zoom/meetings/{id}.
  const id = /^\/api\/admin\/zoom\/meetings\/([^/?]+)/.exec(path)?.[1];
  const res = await handler(new Request(`https://ips.example.test${path}`, { method, headers, ...(body !== undefined ? { body } : {}) }),
    contextFor(services, id === undefined ? {} : { id: decodeURIComponent(id) }));
  const text = await res.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch {
    // not JSON (204): assertions on json fail visibly
  }
  return { status: res.status, headers: res.headers, text, json };
}

const SCHEDULED = { type: "scheduled", topic: "Algebra I — Zoë's class", startTime: "2026-12-01T10:00:00-05:00", duration: 60, timezone: "America/New_York" };
const RECURRING = {
  type: "recurring", topic: "Chemistry (weekly)", startTime: "2026-12-02T14:30:00Z", duration: 45, timezone: "Europe/Madrid",
  recurrence: { type: "weekly", weeklyDays: [4, 2], endTimes: 12 },
};

type MeetingRow = Record<string, unknown> & { id: string; zoom_meeting_id: number; status: string; topic: string; auto_recording: string };

describe.each(ADAPTERS)("zoom-meetings on %s", (adapter) => {
  let db: DbPool;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  /** A school with Zoom enabled on its own app (registered with the fake Zoom), and its admin. */
  async function setup(options: { settings?: Record<string, unknown>; enabled?: boolean; register?: boolean; credentials?: Record<string, unknown>; db?: Db } = {}) {
    const services = await testServices(options.db ?? db);
    const app = zoomTestApp();
    if (options.register ?? true) zoomApi.addApp(app);
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, "zoom", options.credentials ?? { ...app, webhookSecretToken: "zmtoken_0123456789abcdef" }, {
      enabled: options.enabled ?? true, settings: options.settings ?? { autoRecording: "cloud" },
    });
    const token = await adminToken(tenantId);
    const api = (method: string, path: string, body?: unknown, as = token) => call(services, method, path, { token: as, ...(body !== undefined ? { body } : {}) });
    const create = (body: unknown = SCHEDULED) => api("POST", "/api/admin/zoom/meetings", body);
    return { services, app, tenantId, token, api, create };
  }

  const meetingsOf = (tenantId: string) => db.query<MeetingRow>("select * from meetings where tenant_id = $1 order by created_at, id", [tenantId]);
  const auditOf = (tenantId: string) => db.query<{ actor: string; action: string; target: string; details: Record<string, unknown> }>(
    "select actor, action, target, details from audit_log where tenant_id = $1 and action like 'zoom.%' order by created_at, id", [tenantId]);

  /** Nothing that can hold a credential — answers, log lines, the database rows of the tenant — holds one. */
  async function expectNoSecrets(services: TestServices, tenantId: string, secrets: string[], ...answers: Answer[]) {
    const stored = JSON.stringify([await meetingsOf(tenantId), await auditOf(tenantId)]);
    const shown = answers.map((a) => a.text).join("\n") + services.logs.lines.join("\n");
    for (const secret of secrets) {
      expect(stored).not.toContain(secret);
      expect(shown).not.toContain(secret);
    }
  }

  describe("auth", () => {
    it("answers 401 without a token, 403 to a non-admin, and 405 to other methods", async () => {
      const { services, tenantId, api } = await setup();
      const student = await signToken({ tenantId });

      expect((await call(services, "GET", "/api/admin/zoom/meetings")).status).toBe(401);
      expect((await call(services, "GET", "/api/admin/zoom/meetings", { token: student })).status).toBe(403);
      expect((await call(services, "POST", "/api/admin/zoom/meetings", { token: student, body: SCHEDULED })).status).toBe(403);
      const put = await api("PUT", "/api/admin/zoom/meetings", {});
      expect([put.status, put.headers.get("allow")]).toEqual([405, "GET, POST"]);
      expect((await api("GET", `/api/admin/zoom/meetings/${crypto.randomUUID()}`)).headers.get("allow")).toBe("PATCH, DELETE");
      expect(zoomApi.calls).toEqual([]);
    });
  });

  describe("POST /api/admin/zoom/meetings", () => {
    it("creates a scheduled meeting in Zoom (auto_recording from the school's setting) and records it, without the start_url", async () => {
      const { services, tenantId, create, app } = await setup();

      const res = await create();

      expect(res.status).toBe(201);
      const [sent] = zoomApi.callsTo("/v2/users/me/meetings", "POST");
      expect(sent!.body).toEqual({
        type: 2, topic: SCHEDULED.topic, start_time: "2026-12-01T15:00:00Z", duration: 60, timezone: "America/New_York", settings: { auto_recording: "cloud" },
      });
      const zoomMeeting = zoomApi.meeting(res.json.zoomMeetingId)!;
      expect(res.json).toEqual({
        id: expect.any(String), zoomMeetingId: zoomMeeting.id, uuid: zoomMeeting.uuid, type: "scheduled", topic: SCHEDULED.topic,
        startTime: "2026-12-01T15:00:00.000Z", duration: 60, timezone: "America/New_York", recurrence: null, autoRecording: "cloud",
        // No hostEmail and no defaultHostEmail: created under `me`, kept as the email Zoom answered for it.
        hostEmail: APP_USER_EMAIL,
        joinUrl: zoomMeeting.join_url, status: "waiting", startedAt: null, endedAt: null, recordingStatus: "none", recordingCompletedAt: null,
        createdAt: expect.any(String), updatedAt: expect.any(String),
        // Once, to the admin who created it.
        startUrl: zoomMeeting.start_url,
      });
      const rows = await meetingsOf(tenantId);
      expect(rows).toEqual([expect.objectContaining({ id: res.json.id, zoom_meeting_id: zoomMeeting.id, type: 2, status: "waiting", join_url: zoomMeeting.join_url })]);
      expect(await auditOf(tenantId)).toEqual([{
        actor: expect.any(String), action: "zoom.meeting_created", target: res.json.id,
        details: { zoomMeetingId: zoomMeeting.id, type: "scheduled", autoRecording: "cloud", hostEmail: APP_USER_EMAIL },
      }]);
      const zak = new URL(zoomMeeting.start_url).searchParams.get("zak")!;
      await expectNoSecrets(services, tenantId, [zak, app.clientSecret]);
      expect(services.logs.lines.join("\n")).not.toContain(zak);
    });

    it("creates an instant meeting (type 1, no schedule)", async () => {
      const { tenantId, create } = await setup();

      const res = await create({ type: "instant", topic: "Office hours" });

      expect(res.status).toBe(201);
      expect(zoomApi.callsTo("/v2/users/me/meetings")[0]!.body).toEqual({ type: 1, topic: "Office hours", settings: { auto_recording: "cloud" } });
      expect(res.json).toMatchObject({ type: "instant", startTime: null, duration: null, timezone: null });
      expect((await meetingsOf(tenantId))[0]).toMatchObject({ type: 1, start_time: null });
    });

    it("creates a recurring meeting (type 8) with Zoom's recurrence fields", async () => {
      const { tenantId, create } = await setup();

      const res = await create(RECURRING);

      expect(res.status).toBe(201);
      expect(zoomApi.callsTo("/v2/users/me/meetings")[0]!.body).toEqual({
        type: 8, topic: "Chemistry (weekly)", start_time: "2026-12-02T14:30:00Z", duration: 45, timezone: "Europe/Madrid",
        recurrence: { type: 2, repeat_interval: 1, weekly_days: "2,4", end_times: 12 }, settings: { auto_recording: "cloud" },
      });
      expect(res.json).toMatchObject({ type: "recurring", recurrence: { type: "weekly", repeatInterval: 1, weeklyDays: [4, 2], endTimes: 12 } });
      expect((await meetingsOf(tenantId))[0]).toMatchObject({ type: 8, recurrence: { type: "weekly", repeatInterval: 1, weeklyDays: [4, 2], endTimes: 12 } });
    });

    it("maps monthly and daily recurrences", async () => {
      const { create } = await setup();

      await create({ ...RECURRING, recurrence: { type: "monthly", repeatInterval: 2, monthlyWeek: -1, monthlyWeekDay: 6, endDateTime: "2027-06-30T23:59:00+02:00" } });
      await create({ ...RECURRING, recurrence: { type: "daily", monthlyDay: undefined, endTimes: 5 } });

      const [monthly, daily] = zoomApi.callsTo("/v2/users/me/meetings").map((c) => (c.body as { recurrence: unknown }).recurrence);
      expect(monthly).toEqual({ type: 3, repeat_interval: 2, monthly_week: -1, monthly_week_day: 6, end_date_time: "2027-06-30T21:59:00Z" });
      expect(daily).toEqual({ type: 1, repeat_interval: 1, end_times: 5 });
    });

    it("lets the request override auto_recording, and defaults to none when the school set nothing", async () => {
      const school = await setup();
      const plain = await setup({ settings: {} });

      const overridden = await school.create({ ...SCHEDULED, autoRecording: "local" });
      const defaulted = await plain.create();

      expect([overridden.json.autoRecording, defaulted.json.autoRecording]).toEqual(["local", "none"]);
      expect(zoomApi.callsTo("/v2/users/me/meetings").map((c) => (c.body as { settings: unknown }).settings)).toEqual([
        { auto_recording: "local" }, { auto_recording: "none" },
      ]);
    });

    it.each([
      ["an unknown type", { ...SCHEDULED, type: "webinar" }, { type: ["must be instant, scheduled or recurring"] }],
      ["no topic", { type: "instant" }, { topic: ["is required"] }],
      ["a blank topic", { type: "instant", topic: "   " }, { topic: ["must not be empty"] }],
      ["a topic over 200 characters", { type: "instant", topic: "x".repeat(201) }, { topic: [expect.stringContaining("200")] }],
      ["no start time", { ...SCHEDULED, startTime: undefined }, { startTime: ["is required"] }],
      ["a start time without an offset", { ...SCHEDULED, startTime: "2026-12-01T10:00:00" }, { startTime: [expect.stringContaining("ISO 8601")] }],
      ["a duration of 0", { ...SCHEDULED, duration: 0 }, { duration: ["must be at least 1"] }],
      ["a fractional duration", { ...SCHEDULED, duration: 30.5 }, { duration: [expect.stringContaining("whole number")] }],
      ["a duration as text", { ...SCHEDULED, duration: "60" }, { duration: [expect.stringContaining("whole number")] }],
      ["an unknown time zone", { ...SCHEDULED, timezone: "Mars/Olympus_Mons" }, { timezone: [expect.stringContaining("IANA")] }],
      ["an unknown autoRecording", { ...SCHEDULED, autoRecording: "always" }, { autoRecording: ["must be none, local or cloud"] }],
      ["an unknown field", { ...SCHEDULED, start_url: "https://evil.example" }, { start_url: ["unknown field"] }],
      ["a recurring meeting without recurrence", { ...RECURRING, recurrence: undefined }, { recurrence: ["is required"] }],
      ["weekly without days", { ...RECURRING, recurrence: { type: "weekly", endTimes: 3 } }, { "recurrence.weeklyDays": ["is required"] }],
      ["a day 8", { ...RECURRING, recurrence: { type: "weekly", weeklyDays: [8], endTimes: 3 } }, { "recurrence.weeklyDays.0": ["must be at most 7"] }],
      ["both endTimes and endDateTime", { ...RECURRING, recurrence: { type: "daily", endTimes: 3, endDateTime: "2027-01-01T00:00:00Z" } }, { "recurrence.endTimes": [expect.stringContaining("exactly one")] }],
      ["neither endTimes nor endDateTime", { ...RECURRING, recurrence: { type: "daily" } }, { "recurrence.endTimes": [expect.stringContaining("exactly one")] }],
      ["monthly by day and by week", { ...RECURRING, recurrence: { type: "monthly", monthlyDay: 3, monthlyWeek: 1, monthlyWeekDay: 2, endTimes: 2 } }, { "recurrence.monthlyDay": [expect.any(String)] }],
      ["monthly with half a week rule", { ...RECURRING, recurrence: { type: "monthly", monthlyWeek: 1, endTimes: 2 } }, { "recurrence.monthlyDay": [expect.any(String)] }],
      ["an unknown recurrence type", { ...RECURRING, recurrence: { type: "yearly", endTimes: 2 } }, { "recurrence.type": ["must be daily, weekly or monthly"] }],
      ["a recurrence on a scheduled meeting", { ...SCHEDULED, recurrence: RECURRING.recurrence }, { recurrence: ["unknown field"] }],
    ])("answers 400 naming the field for %s, calling nothing", async (_name, body, errors) => {
      const { tenantId, create } = await setup();

      const res = await create(body);

      expect(res.status).toBe(400);
      expect(res.json.errors).toEqual(errors);
      expect(zoomApi.calls).toEqual([]);
      expect(await meetingsOf(tenantId)).toEqual([]);
    });

    it("answers 400 to no body, a body that is not JSON, and JSON that is not an object", async () => {
      const { services, token } = await setup();
      const answers = [
        await call(services, "POST", "/api/admin/zoom/meetings", { token }),
        await call(services, "POST", "/api/admin/zoom/meetings", { token, rawBody: '{"type":' }),
        await call(services, "POST", "/api/admin/zoom/meetings", { token, rawBody: "[1]" }),
      ];
      expect(answers.map((a) => a.status)).toEqual([400, 400, 400]);
      expect(answers[0]!.json.errors).toEqual({ "(body)": ["a JSON object describing the meeting is required"] });
      expect(answers[2]!.json.errors).toEqual({ "(body)": ["Invalid input: expected object, received array"] });
      expect(answers[1]!.json.title).toBe("Malformed JSON");
      expect(zoomApi.calls).toEqual([]);
    });

    it("answers 409 when Zoom is disabled, or no Server-to-Server app is saved, calling nothing", async () => {
      const disabled = await setup({ enabled: false });
      const noApp = await setup({ credentials: { webhookSecretToken: "zmtoken_0123456789abcdef", clientId: "cid_only_1234" } });
      const never = await createTenant(db);

      const answers = [await disabled.create(), await noApp.create(), await call(disabled.services, "POST", "/api/admin/zoom/meetings", { token: await adminToken(never), body: SCHEDULED })];

      expect(answers.map((a) => [a.status, a.json.code])).toEqual([
        [409, "ERR_ZOOM_NOT_ENABLED"], [409, "ERR_ZOOM_NO_APP_CREDENTIALS"], [409, "ERR_ZOOM_NOT_ENABLED"],
      ]);
      expect(answers[1]!.json.detail).toContain("accountId, clientSecret");
      expect(zoomApi.calls).toEqual([]);
    });

    it("answers 502 naming Zoom's error when Zoom refuses the app credentials, and records nothing", async () => {
      const { services, tenantId, create, app } = await setup({ register: false });

      const res = await create();

      expect(res.status).toBe(502);
      expect(res.json).toMatchObject({ code: "zoom_oauth_error: invalid_client", title: "Zoom rejected the school's app credentials" });
      expect(res.json.detail).toContain("Invalid client_id or client_secret");
      expect(zoomApi.callsTo("/v2/users/me/meetings")).toEqual([]);
      expect(await meetingsOf(tenantId)).toEqual([]);
      await expectNoSecrets(services, tenantId, [app.clientSecret, app.clientId, app.accountId], res);
    });

    it("answers 502 with Zoom's code and message when the app lacks a scope", async () => {
      const { tenantId, create } = await setup({ register: false });
      const app = zoomTestApp();
      zoomApi.addApp(app, ["user:read:user:admin"]);
      await configureIntegration(await testServices(db), tenantId, "zoom", { ...app, webhookSecretToken: "zmtoken_0123456789abcdef" }, { settings: { autoRecording: "cloud" } });

      const res = await create();

      expect(res.status).toBe(502);
      expect(res.json).toMatchObject({
        code: "zoom_api_error: 4711", detail: "Zoom answered 400 4711: Invalid access token, does not contain scopes:[meeting:write:meeting:admin].",
      });
    });

    it("answers 503 with Retry-After when Zoom rate-limits the school", async () => {
      const { create } = await setup();
      zoomApi.fail("post", "/v2/users/me/meetings", 429, { code: 429, message: "You have reached the maximum daily rate limit for this API." }, { "retry-after": "60" });

      const res = await create();

      expect([res.status, res.headers.get("retry-after"), res.json.code]).toEqual([503, "60", "zoom_rate_limit_error: 429"]);
    });

    it("renews the token transparently when Zoom no longer accepts it", async () => {
      const { create } = await setup();
      await create();
      zoomApi.revokeTokens();

      const res = await create({ type: "instant", topic: "Second" });

      expect(res.status).toBe(201);
      expect(zoomApi.callsTo("/oauth/token")).toHaveLength(2);
    });

    it("deletes the meeting in Zoom again when it cannot be recorded (database down): 503, nothing left over", async () => {
      const down = {
        ...db,
        query: <R extends Row = Row>(text: string, params?: readonly unknown[]) =>
          (text.includes("insert into meetings") ? Promise.reject(new DbUnavailableError("database unavailable: ECONNRESET")) : db.query<R>(text, params)),
        transaction: <T>(work: (tx: Db) => Promise<T>) => work(down),
      } as Db;
      const { tenantId, create, services } = await setup({ db: down });

      const res = await create();

      expect(res.status).toBe(503);
      const [created] = zoomApi.callsTo("/v2/users/me/meetings", "POST");
      expect(created).toBeDefined();
      const deleted = zoomApi.calls.filter((c) => c.method === "DELETE");
      expect(deleted).toHaveLength(1);
      expect(zoomApi.meeting(deleted[0]!.path.split("/").pop()!)).toBeUndefined();
      expect(await meetingsOf(tenantId)).toEqual([]);
      expect(services.logs.lines.some((l) => l.includes("deleted it in Zoom again"))).toBe(true);
    });
  });

  describe("GET /api/admin/zoom/meetings", () => {
    it("lists the tenant's meetings newest first, in pages, without deleted ones unless asked", async () => {
      const { api, create } = await setup();
      const other = await setup();
      await other.create();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await create({ type: "instant", topic: `Class ${i}` })).json.id);
      await api("DELETE", `/api/admin/zoom/meetings/${ids[1]}`);

      const first = await api("GET", "/api/admin/zoom/meetings?limit=2");
      const second = await api("GET", `/api/admin/zoom/meetings?limit=2&cursor=${first.json.nextCursor}`);
      const deleted = await api("GET", "/api/admin/zoom/meetings?status=deleted");

      expect(first.status).toBe(200);
      expect(first.json.meetings.map((m: { id: string }) => m.id)).toEqual([ids[4], ids[3]]);
      expect(second.json.meetings.map((m: { id: string }) => m.id)).toEqual([ids[2], ids[0]]);
      expect(second.json.nextCursor).toBeNull();
      expect(deleted.json.meetings.map((m: { id: string; status: string }) => [m.id, m.status])).toEqual([[ids[1], "deleted"]]);
      expect(JSON.stringify([first.json, second.json])).not.toContain("start_url");
      expect(JSON.stringify([first.json, second.json])).not.toContain("zak=");
    });

    it("answers 400 to an invalid query", async () => {
      const { api } = await setup();
      for (const query of ["status=live", "limit=0", "limit=201", "limit=ten", "cursor=abc", "page=2"]) {
        const res = await api("GET", `/api/admin/zoom/meetings?${query}`);
        expect(res.status, query).toBe(400);
        expect(Object.keys(res.json.errors)).toHaveLength(1);
      }
    });
  });

  describe("PATCH /api/admin/zoom/meetings/{id}", () => {
    it("changes the meeting in Zoom, then the stored row, and audits the field names", async () => {
      const { tenantId, api, create } = await setup();
      const created = (await create()).json;

      const res = await api("PATCH", `/api/admin/zoom/meetings/${created.id}`, {
        topic: "Algebra I (moved)", startTime: "2026-12-03T16:00:00+01:00", duration: 90, autoRecording: "none", agenda: "Chapter 4",
      });

      expect(res.status).toBe(200);
      const [patched] = zoomApi.callsTo(`/v2/meetings/${created.zoomMeetingId}`, "PATCH");
      expect(patched!.body).toEqual({
        topic: "Algebra I (moved)", agenda: "Chapter 4", start_time: "2026-12-03T15:00:00Z", duration: 90, settings: { auto_recording: "none" },
      });
      expect(res.json).toMatchObject({ id: created.id, topic: "Algebra I (moved)", startTime: "2026-12-03T15:00:00.000Z", duration: 90, autoRecording: "none", timezone: "America/New_York" });
      expect(zoomApi.meeting(created.zoomMeetingId)).toMatchObject({ topic: "Algebra I (moved)", duration: 90 });
      expect((await meetingsOf(tenantId))[0]).toMatchObject({ topic: "Algebra I (moved)", auto_recording: "none" });
      expect((await auditOf(tenantId)).at(-1)).toMatchObject({
        action: "zoom.meeting_updated", target: created.id, details: { zoomMeetingId: created.zoomMeetingId, changed: ["agenda", "autoRecording", "duration", "startTime", "topic"] },
      });
    });

    it("changes a recurring meeting's recurrence", async () => {
      const { api, create } = await setup();
      const created = (await create(RECURRING)).json;

      const res = await api("PATCH", `/api/admin/zoom/meetings/${created.id}`, { recurrence: { type: "weekly", weeklyDays: [6], endTimes: 4 } });

      expect(res.status).toBe(200);
      expect(zoomApi.callsTo(`/v2/meetings/${created.zoomMeetingId}`, "PATCH")[0]!.body).toEqual({ recurrence: { type: 2, repeat_interval: 1, weekly_days: "6", end_times: 4 } });
      expect(res.json.recurrence).toEqual({ type: "weekly", repeatInterval: 1, weeklyDays: [6], endTimes: 4 });
    });

    it("answers 400 to an empty change, a schedule for an instant meeting, or a recurrence for a scheduled one", async () => {
      const { api, create } = await setup();
      const instant = (await create({ type: "instant", topic: "Now" })).json;
      const scheduled = (await create()).json;
      zoomApi.reset();

      const empty = await api("PATCH", `/api/admin/zoom/meetings/${scheduled.id}`, {});
      const timed = await api("PATCH", `/api/admin/zoom/meetings/${instant.id}`, { startTime: "2026-12-01T10:00:00Z", topic: "Later" });
      const recurring = await api("PATCH", `/api/admin/zoom/meetings/${scheduled.id}`, { recurrence: RECURRING.recurrence });
      const unknown = await api("PATCH", `/api/admin/zoom/meetings/${scheduled.id}`, { type: "instant" });

      expect(empty.json.errors).toEqual({ "(body)": ["give at least one field to change"] });
      expect(timed.json.errors).toEqual({ startTime: ["an instant meeting has no schedule"] });
      expect(recurring.json.errors).toEqual({ recurrence: ["only a recurring meeting has a recurrence"] });
      expect(unknown.json.errors).toEqual({ type: ["unknown field"] });
      expect([empty, timed, recurring, unknown].map((r) => r.status)).toEqual([400, 400, 400, 400]);
      expect(zoomApi.calls.filter((c) => c.method === "PATCH")).toEqual([]);
    });

    it("answers 404 to another tenant's meeting or a junk id, calling nothing in Zoom", async () => {
      const mine = await setup();
      const theirs = await setup();
      const their = (await theirs.create()).json;
      zoomApi.reset();

      for (const id of [their.id, crypto.randomUUID(), "not-a-uuid", "1%3B%20drop%20table%20meetings"]) {
        const res = await mine.api("PATCH", `/api/admin/zoom/meetings/${id}`, { topic: "Hijacked" });
        expect(res.status, id).toBe(404);
        expect(res.json.code).toBe("ERR_MEETING_NOT_FOUND");
      }
      expect(zoomApi.calls.filter((c) => c.method === "PATCH")).toEqual([]);
      expect(zoomApi.meeting(their.zoomMeetingId)).toMatchObject({ topic: SCHEDULED.topic });
    });

    it("answers 502 with Zoom's code when Zoom no longer has the meeting, leaving the row as it was", async () => {
      const { tenantId, api, create } = await setup();
      const created = (await create()).json;
      zoomApi.fail("patch", "/v2/meetings/:id", 404, { code: 3001, message: `Meeting does not exist: ${created.zoomMeetingId}.` });

      const res = await api("PATCH", `/api/admin/zoom/meetings/${created.id}`, { topic: "Renamed" });

      expect(res.status).toBe(502);
      expect(res.json).toMatchObject({ code: "zoom_api_error: 3001", detail: `Zoom answered 404 3001: Meeting does not exist: ${created.zoomMeetingId}.` });
      expect((await meetingsOf(tenantId))[0]).toMatchObject({ topic: SCHEDULED.topic });
      expect((await auditOf(tenantId)).map((a) => a.action)).toEqual(["zoom.meeting_created"]);
    });

    it("applies concurrent changes to one meeting one at a time, so the row ends as Zoom does", async () => {
      const { tenantId, api, create } = await setup();
      const created = (await create()).json;

      const answers = await Promise.all(["A", "B", "C", "D"].map((topic) => api("PATCH", `/api/admin/zoom/meetings/${created.id}`, { topic })));

      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect((await meetingsOf(tenantId))[0]!.topic).toBe(zoomApi.meeting(created.zoomMeetingId)!.topic);
    });
  });

  describe("DELETE /api/admin/zoom/meetings/{id}", () => {
    it("deletes the meeting in Zoom, marks it deleted (204), audits it, and a second delete is 404", async () => {
      const { tenantId, api, create } = await setup();
      const created = (await create()).json;

      const res = await api("DELETE", `/api/admin/zoom/meetings/${created.id}`);
      const again = await api("DELETE", `/api/admin/zoom/meetings/${created.id}`);

      expect(res.status).toBe(204);
      expect(res.text).toBe("");
      expect(zoomApi.callsTo(`/v2/meetings/${created.zoomMeetingId}`, "DELETE")).toHaveLength(1);
      expect(zoomApi.meeting(created.zoomMeetingId)).toBeUndefined();
      expect((await meetingsOf(tenantId))[0]).toMatchObject({ status: "deleted", deleted_at: expect.any(Date) });
      expect((await auditOf(tenantId)).at(-1)).toMatchObject({
        action: "zoom.meeting_deleted", target: created.id, details: { zoomMeetingId: created.zoomMeetingId, alreadyGoneInZoom: false },
      });
      expect(again.status).toBe(404);
    });

    it("treats Zoom's 404 as already gone: 204 and deleted here", async () => {
      const { tenantId, api, create } = await setup();
      const created = (await create()).json;
      zoomApi.fail("delete", "/v2/meetings/:id", 404, { code: 3001, message: `Meeting does not exist: ${created.zoomMeetingId}.` });

      const res = await api("DELETE", `/api/admin/zoom/meetings/${created.id}`);

      expect(res.status).toBe(204);
      expect((await meetingsOf(tenantId))[0]!.status).toBe("deleted");
      expect((await auditOf(tenantId)).at(-1)!.details).toEqual({ zoomMeetingId: created.zoomMeetingId, alreadyGoneInZoom: true, zoomCode: "3001" });
    });

    it("answers 502 and keeps the meeting when Zoom fails", async () => {
      const { tenantId, api, create } = await setup();
      const created = (await create()).json;
      zoomApi.fail("delete", "/v2/meetings/:id", 500, { code: 500, message: "Internal error." });

      const res = await api("DELETE", `/api/admin/zoom/meetings/${created.id}`);

      expect(res.status).toBe(502);
      expect(res.json.code).toBe("zoom_api_error: 500");
      expect((await meetingsOf(tenantId))[0]!.status).toBe("waiting");
    });

    it("answers 404 to another tenant's meeting", async () => {
      const mine = await setup();
      const their = (await (await setup()).create()).json;

      expect((await mine.api("DELETE", `/api/admin/zoom/meetings/${their.id}`)).status).toBe(404);
      expect(zoomApi.meeting(their.zoomMeetingId)).toBeDefined();
    });
  });

  describe("hosts and passcodes (POST /api/admin/zoom/meetings with hostEmail)", () => {
    const TEACHER = "ms.rivera@school.example";

    it("creates the meeting under hostEmail (URL-encoded in Zoom's path) and keeps the host and the passcode, sealed", async () => {
      const { services, tenantId, create, app } = await setup();
      zoomApi.addUser(TEACHER);

      const res = await create({ ...SCHEDULED, hostEmail: " Ms.Rivera@School.example " });

      expect(res.status).toBe(201);
      expect(res.json.hostEmail).toBe(TEACHER);
      const [sent] = zoomApi.calls.filter((c) => c.method === "POST" && c.path.startsWith("/v2/users/"));
      expect(sent!.path).toBe("/v2/users/ms.rivera%40school.example/meetings");
      expect(sent!.headers.get("authorization")).toMatch(/^Bearer \S+$/);
      // The host is Zoom's path, never a body field.
      expect(sent!.body).toEqual({
        type: 2, topic: SCHEDULED.topic, start_time: "2026-12-01T15:00:00Z", duration: 60, timezone: "America/New_York", settings: { auto_recording: "cloud" },
      });
      const zoomMeeting = zoomApi.meeting(res.json.zoomMeetingId)!;
      const [row] = await meetingsOf(tenantId);
      expect(row!.host_email).toBe(TEACHER);
      // Sealed like credentials: an envelope, the passcode nowhere in clear (row, answer, logs, audit).
      expect(row!.passcode).toEqual({ v: 1, kid: expect.any(String), iv: expect.any(String), ct: expect.any(String) });
      expect(await openMeetingPasscode(services.vault, tenantId, row!.id, row!.passcode)).toBe(zoomMeeting.password);
      await expect(openMeetingPasscode(services.vault, tenantId, crypto.randomUUID(), row!.passcode)).rejects.toThrow(VaultError);
      await expect(openMeetingPasscode(services.vault, crypto.randomUUID(), row!.id, row!.passcode)).rejects.toThrow(VaultError);
      await expectNoSecrets(services, tenantId, [String(zoomMeeting.password), app.clientSecret], res);
    });

    it("defaults to the school's defaultHostEmail setting, else `me`", async () => {
      const { create } = await setup({ settings: { autoRecording: "none", defaultHostEmail: TEACHER } });
      zoomApi.addUser(TEACHER);

      const res = await create({ type: "instant", topic: "Office hours" });

      expect([res.status, res.json.hostEmail]).toEqual([201, TEACHER]);
      expect(zoomApi.callsTo("/v2/users/ms.rivera%40school.example/meetings", "POST")).toHaveLength(1);
      expect(zoomApi.callsTo("/v2/users/me/meetings")).toEqual([]);
    });

    it("answers 400 naming hostEmail when Zoom has no such user (404, code 1001), recording nothing", async () => {
      const { tenantId, create } = await setup();
      const fromSetting = await setup({ settings: { defaultHostEmail: "gone@school.example" } });

      const res = await create({ ...SCHEDULED, hostEmail: "nobody@school.example" });
      const viaSetting = await fromSetting.create();

      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ code: "ERR_ZOOM_UNKNOWN_HOST", errors: { hostEmail: [expect.stringContaining("nobody@school.example is not a user")] } });
      expect(viaSetting.status).toBe(400);
      expect(viaSetting.json.errors.hostEmail[0]).toContain("defaultHostEmail");
      expect(zoomApi.callsTo("/v2/users/nobody%40school.example/meetings", "POST")).toHaveLength(1);
      expect(await meetingsOf(tenantId)).toEqual([]);
      expect(await meetingsOf(fromSetting.tenantId)).toEqual([]);
    });

    it.each([
      ["not an email", "ms.rivera"],
      ["a number", 42],
      ["empty", ""],
    ])("answers 400 naming hostEmail when it is %s, calling nothing", async (_name, hostEmail) => {
      const { create } = await setup();

      const res = await create({ ...SCHEDULED, hostEmail });

      expect(res.status).toBe(400);
      expect(Object.keys(res.json.errors)).toEqual(["hostEmail"]);
      expect(zoomApi.calls).toEqual([]);
    });

    it("answers 502 when Zoom cannot be reached, recording nothing", async () => {
      const { tenantId, create } = await setup();
      zoomApi.addUser(TEACHER);
      zoomApi.disconnect("post", "/v2/users/:userId/meetings");

      const res = await create({ ...SCHEDULED, hostEmail: TEACHER });

      expect([res.status, res.json.code]).toEqual([502, "zoom_connection_error: connection_error"]);
      expect(await meetingsOf(tenantId)).toEqual([]);
    });
  });

  describe("GET /api/admin/zoom/meetings/{id}/participants", () => {
    it("lists the meeting's attendance in join order, one entry per join", async () => {
      const { tenantId, api, create } = await setup();
      const meeting = (await create()).json;
      await db.query(
        `insert into meeting_participants (tenant_id, meeting_id, meeting_uuid, participant_id, participant_uuid, user_name, email, join_time, leave_time, leave_reason)
         values ($1, $2, 'occ==', '16778240', 'PU-1', 'Ada', 'ada@family.example', '2026-12-01T15:01:00Z', '2026-12-01T15:20:00Z', 'left the meeting'),
                ($1, $2, 'occ==', '16779264', 'PU-1', 'Ada', 'ada@family.example', '2026-12-01T15:25:00Z', null, null),
                ($1, $2, 'occ==', '16780288', null, 'Guest', null, '2026-12-01T15:00:30Z', null, null)`,
        [tenantId, meeting.id]);

      const res = await api("GET", `/api/admin/zoom/meetings/${meeting.id}/participants`);

      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        meetingId: meeting.id,
        participants: [
          { occurrenceUuid: "occ==", participantId: "16780288", participantUuid: null, userName: "Guest", email: null, joinTime: "2026-12-01T15:00:30.000Z", leaveTime: null, leaveReason: null },
          { occurrenceUuid: "occ==", participantId: "16778240", participantUuid: "PU-1", userName: "Ada", email: "ada@family.example", joinTime: "2026-12-01T15:01:00.000Z", leaveTime: "2026-12-01T15:20:00.000Z", leaveReason: "left the meeting" },
          { occurrenceUuid: "occ==", participantId: "16779264", participantUuid: "PU-1", userName: "Ada", email: "ada@family.example", joinTime: "2026-12-01T15:25:00.000Z", leaveTime: null, leaveReason: null },
        ],
      });
    });

    it("answers 404 to another tenant's meeting or a junk id, 403 to a non-admin, 405 to other methods", async () => {
      const mine = await setup();
      const theirs = await setup();
      const their = (await theirs.create()).json;
      const student = await signToken({ tenantId: theirs.tenantId, role: "teacher" });

      const other = await mine.api("GET", `/api/admin/zoom/meetings/${their.id}/participants`);
      const junk = await mine.api("GET", "/api/admin/zoom/meetings/not-a-uuid/participants");
      const notAdmin = await call(theirs.services, "GET", `/api/admin/zoom/meetings/${their.id}/participants`, { token: student });
      const post = await theirs.api("POST", `/api/admin/zoom/meetings/${their.id}/participants`, {});

      expect([other.status, other.json.code, junk.status]).toEqual([404, "ERR_MEETING_NOT_FOUND", 404]);
      expect(notAdmin.status).toBe(403);
      expect([post.status, post.headers.get("allow")]).toEqual([405, "GET"]);
    });
  });
});
